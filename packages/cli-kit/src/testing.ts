export { type CapturedText, capture, captureText, type Outcome } from './testing/capture.js';
export { builtCommandsVariable, entryArguments } from './testing/entry.js';
export { type FrenchHelpTestOptions, testFrenchHelp } from './testing/french-help.js';
export { type LauncherTestOptions, testLauncher } from './testing/launcher.js';
export type { Assertion, TestApi } from './testing/test-api.js';
