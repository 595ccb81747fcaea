import { type AnyTable, criminalRecordTables, exchangedTables } from '@xmcomm/schema';
import type { RestrictedTable } from '@xmcomm/status-sync';

// The tables xmserver receives and answers: the civil registration contract's, and the criminal
// record's (XMJuris courts at the national criminal register). The criminal record's are restricted:
// only a client at status 3 the operator granted `juris` (`xmserver client service`) sends or reads
// them, and a court reads them only for one person at a time, after saying who asks and why.

export const serverTables: readonly AnyTable[] = [
  ...(exchangedTables as readonly AnyTable[]),
  ...(criminalRecordTables as readonly AnyTable[]),
];

/** The service a court needs for the criminal record's tables. */
export const jurisService = 'juris';

export const restrictedTables: Readonly<Record<string, RestrictedTable>> = {
  criminal_record_entries: {
    service: jurisService,
    // A person by identity: names and date of birth (place of birth compared at the court).
    identifying: ['person_surname', 'person_date_of_birth'],
    // A surname's spellings as typed, in capitals and capitalised (xmjuris sends these three).
    maxValues: 3,
    maxRows: 50,
  },
  criminal_record_annotations: {
    service: jurisService,
    identifying: ['entry_niu'],
    maxValues: 50,
    maxRows: 500,
  },
};
