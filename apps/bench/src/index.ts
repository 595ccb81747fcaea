// The pieces of the end-to-end benchmarks that are worth reusing (a link emulator for tests of
// satellite behaviour, the fast register filler); the runs themselves are bench/all.ts.
export { BenchError, type BenchErrorCode, benchErrorCodes, describeBenchError } from './errors.js';
export { type CertificateRecord, createFastIssuer, type FastIssuer } from './fast-issuer.js';
export {
  type DirectionCounters,
  type LinkCounters,
  LinkEmulator,
  type LinkOptions,
  type LinkProfile,
} from './link-emulator.js';
export { iridiumCertus100, thurayaXtPro } from './satellite.js';
export { TokenBucket } from './token-bucket.js';
