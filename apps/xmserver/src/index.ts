// The app's programmatic surface, for tests and for embedding the CLI in another runner.
export { loadConfig, readSecret, type ServerConfig } from './config.js';
export type { Io } from './context.js';
export { type DemoOptions, type DemoResult, type DemoServer, type DemoSiteResult, runDemo } from './demo.js';
export { XmServerError, type XmServerErrorCode, xmServerErrorCodes } from './errors.js';
export { exitCodeOf, exitCodes } from './exit-codes.js';
export { createLogger } from './logger.js';
export { describeError, type Language } from './messages.js';
export { buildProgram, runCli } from './program.js';
export { type RunningService, type ServiceOptions, startService } from './service.js';
