export { type Bilingual, hostProblem, parsePort } from './address.js';
export { checkFrenchTexts, type FrenchTextsCheck } from './check.js';
export { type Language, languageFlag, languages, pickLanguage } from './language.js';
export { type LocalizeOptions, localizeProgram } from './localize.js';
export { type CommandTexts, commandPath, type FrenchTexts } from './texts.js';
