// The demo's programmatic surface, for its tests.
export { type DemoCentre, demoCentre, demoLogins, setUpCentre } from './centre.js';
export { DemoError, type DemoErrorCode, demoErrorCodes, exitCodeOf } from './errors.js';
export { runDemoCli } from './program.js';
export { type DemoRunOptions, type Language, runDemoWithUi, syncEverySeconds } from './run.js';
