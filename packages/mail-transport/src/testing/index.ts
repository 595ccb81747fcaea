export { type InProcessSmtp, MemoryMailbox, startInProcessSmtp } from './in-process.js';
export {
  freePort,
  type MailRig,
  type MailRigUser,
  mailRigEnabled,
  mailRigMissing,
  RIG_PACKAGES,
  startMailRig,
} from './rig.js';
