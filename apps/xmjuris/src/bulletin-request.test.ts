import { SiteKitError } from '@xmcomm/site-kit';
import { describe, expect, test } from 'vitest';
import { checkMayRequest, type Identity, matchPerson } from './bulletin-request.js';
import type { RecordEntry } from './bulletins.js';

const person = {
  person_surname: 'Kobila',
  person_given_names: 'Mangué',
  person_date_of_birth: '1990-04-17',
  person_place_of_birth: 'Ekouk',
  person_sex: 'male',
  person_nationality: 'CMR',
  father_surname: 'Bikoula Mendomo',
  mother_surname: 'Atouba',
};
const record = (niu: string, change: Record<string, unknown> = {}): RecordEntry => ({
  entry: { niu, ...person, ...change },
  annotations: [],
});
const asked: Identity = {
  person_surname: 'KOBILA',
  person_given_names: 'mangue',
  person_date_of_birth: '1990-04-17',
  person_place_of_birth: 'Ekouk ',
};

describe('a bulletin request by identity', () => {
  test.each([
    {
      why: 'two entries of one person, written differently',
      records: [record('N1'), record('N2', { person_surname: 'kobila' })],
      identity: asked,
      expected: { kind: 'one', niu: ['N1', 'N2'] },
    },
    {
      why: 'no entry for that identity (another birth date)',
      records: [record('N1', { person_date_of_birth: '1991-04-17' })],
      identity: asked,
      expected: { kind: 'none' },
    },
    {
      why: 'namesakes with other parents',
      records: [record('N1'), record('N2', { mother_surname: 'Ngo Bassa' })],
      identity: asked,
      expected: {
        kind: 'several',
        people: 2,
        ask: ['father_surname', 'mother_surname', 'person_sex', 'person_nationality'],
      },
    },
    {
      why: 'namesakes told apart by the mother given',
      records: [record('N1'), record('N2', { mother_surname: 'Ngo Bassa' })],
      identity: { ...asked, mother_surname: 'Atouba' },
      expected: { kind: 'one', niu: ['N1'] },
    },
    {
      why: 'an entry silent on the parents, beside one that names them',
      records: [record('N1'), record('N2', { father_surname: null, mother_surname: null })],
      identity: { ...asked, person_sex: 'male' },
      expected: {
        kind: 'several',
        people: 2,
        ask: ['father_surname', 'mother_surname', 'person_nationality'],
      },
    },
    {
      why: 'a request without the place of birth',
      records: [record('N1')],
      identity: { ...asked, person_place_of_birth: '' },
      expected: { kind: 'several', people: 0, ask: ['person_place_of_birth'] },
    },
  ])('$why', ({ records, identity, expected }) => {
    const match = matchPerson(identity, records);
    if (expected.kind === 'one') {
      expect(match.kind).toBe('one');
      if (match.kind === 'one') expect(match.records.map((r) => r.entry.niu)).toEqual(expected.niu);
    } else {
      expect(match).toEqual(expected);
    }
  });

  test('bulletin No 1 only for the clerk (privilege 3); No 2 and 3 for a secretary too, never an agent', () => {
    const user = (privilege: 1 | 2 | 3) => ({ id: privilege, login: `u${privilege}`, privilege });
    expect(() => checkMayRequest(user(3), 'b1')).not.toThrow();
    for (const [privilege, bulletin] of [
      [2, 'b1'],
      [1, 'b2'],
      [1, 'b3'],
    ] as const) {
      const refusal = (() => {
        try {
          checkMayRequest(user(privilege), bulletin);
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(SiteKitError);
      expect((refusal as SiteKitError).code).toBe('forbidden');
      expect((refusal as SiteKitError).messageFr).toContain(`demander le bulletin n° ${bulletin.slice(1)}`);
      expect((refusal as SiteKitError).message).toMatch(/needs the (clerk of the court|secretary) privilege/);
    }
    expect(() => checkMayRequest(user(2), 'b3')).not.toThrow();
  });
});
