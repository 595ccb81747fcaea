export {
  createWebApp,
  formFile,
  formValue,
  localPath,
  type WebApp,
  type WebAppOptions,
  type WebState,
  type WebUser,
} from './app.js';
export { csrfTokenFor, isValidCsrfToken } from './csrf.js';
export { WebKitError, type WebKitErrorCode, webKitErrorCodes } from './errors.js';
export {
  type FieldProblem,
  type FormField,
  type FormValues,
  inputValue,
  isRealDate,
  problemsByField,
  readForm,
  renderField,
  renderFields,
} from './form.js';
export { attribute, escapeHtml, flag, Html, type HtmlValue, html, raw } from './html.js';
export { chooseLanguage, format, isLanguage, type Language, languages, pick, type Text } from './i18n.js';
export { csrfInput, type LayoutOptions, layout, type NavLink } from './layout.js';
export { type WebTextKey, webTexts } from './messages.js';
export {
  createSessionManager,
  newToken,
  type SessionManager,
  type SessionPolicy,
  type SessionStore,
  type StoredSession,
  sessionTokenHash,
} from './session.js';
export { siteSessionStore } from './site-session-store.js';
