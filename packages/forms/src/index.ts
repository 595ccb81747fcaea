export { checkDefinition, definitionLimits } from './check.js';
export { type CompiledForm, compileForm } from './compile.js';
export {
  type Bilingual,
  type ComparisonOperator,
  comparisonOperators,
  type EnumValue,
  type FieldDefinition,
  type FieldType,
  type FormDefinition,
  fieldTypes,
  formFormat,
  type PrintDefinition,
  type RuleDefinition,
  ruleKinds,
} from './definition.js';
export { FormsError, type FormsErrorCode, formsErrorCodes } from './errors.js';
export { defaultReadLimits, type Json, type Position, type ReadLimits, readJson } from './json-reader.js';
export { type ParseResult, parseFormDefinition } from './parse.js';
export { describeProblem, type FormProblem, type FormProblemCode, formProblemCodes } from './problems.js';
export {
  compileDefinition,
  type FormsSide,
  type InstalledForm,
  type InstallOptions,
  type InstallResult,
  installForm,
  listForms,
  loadForms,
  serverFormDefinitions,
  serverFormsMigrationName,
  serverFormsMigrations,
  siteFormDefinitions,
  siteFormsMigrationName,
  siteFormsMigrations,
} from './registry.js';
export { type RuleError, rulesOf } from './rules.js';
