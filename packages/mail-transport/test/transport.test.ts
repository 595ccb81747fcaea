import { mailRigEnabled } from '../src/testing/index.js';
import { folderCarrier, inProcessCarrier, rigCarrier } from './carriers.js';
import { carrierSuite } from './transport-suite.js';

// One file, so the rig's OpenSMTPD (whose queue directory is the system's) runs once at a time.
// Without Dovecot and OpenSMTPD the rig suites skip here, and fail in CI (CI=true) saying what is missing.
carrierSuite('the in-process pair (smtp-server, memory mailbox)', inProcessCarrier);
carrierSuite('the transfer folder', folderCarrier);
carrierSuite('Dovecot and OpenSMTPD, read by IMAP', () => rigCarrier('imap'), mailRigEnabled());
carrierSuite('Dovecot and OpenSMTPD, read by POP3', () => rigCarrier('pop3'), mailRigEnabled());
