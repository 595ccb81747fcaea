import { attribute, type Html, html } from './html.js';
import type { Language, Text } from './i18n.js';
import { webTexts } from './messages.js';

export interface NavLink {
  readonly href: string;
  readonly label: string;
  /** Marks the link of the page being shown (aria-current). */
  readonly current?: boolean;
}

export interface LayoutOptions {
  readonly language: Language;
  /** The page's own title (the <title> and the <h1>). */
  readonly title: string;
  readonly appTitle: Text;
  readonly body: Html;
  readonly csrfToken: string;
  /** The path the language switch comes back to. */
  readonly path: string;
  readonly nav?: readonly NavLink[];
  /** Who is logged in, as the header shows it: `amina — Secretary (2)`. */
  readonly who?: string;
}

const switchHref = (language: Language, path: string) =>
  `/language/${language === 'en' ? 'fr' : 'en'}?back=${encodeURIComponent(path)}`;

/**
 * The whole document: skip link, header (application, who is logged in, language switch, log out),
 * navigation, the page's title and body. htmx requests get only the <main> (see `renderPage`).
 */
export function layout(options: LayoutOptions): Html {
  const { language: lang, csrfToken } = options;
  const t = (text: Text) => text[lang];
  // htmx sends the CSRF token as a header on every request it makes from this page.
  const hxHeaders = JSON.stringify({ 'x-csrf-token': csrfToken });
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}'>
<title>${options.title} · ${t(options.appTitle)}</title>
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/htmx.min.js" defer></script>
</head>
<body hx-headers="${hxHeaders}">
<a class="skip" href="#main">${t(webTexts.skipToContent)}</a>
<header class="top">
  <a class="app" href="/">${t(options.appTitle)}</a>
  ${options.who ? html`<span class="who">${options.who}</span>` : ''}
  <a class="lang" href="${switchHref(lang, options.path)}" hreflang="${lang === 'en' ? 'fr' : 'en'}" lang="${lang === 'en' ? 'fr' : 'en'}">${t(webTexts.switchTo)}</a>
  ${
    options.who
      ? html`<form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="secondary">${t(webTexts.logOut)}</button></form>`
      : ''
  }
</header>
${
  options.nav && options.nav.length > 0
    ? html`<nav class="main-nav"><ul>${options.nav.map(
        (link) =>
          html`<li><a href="${link.href}"${attribute('aria-current', link.current ? 'page' : undefined)}>${link.label}</a></li>`,
      )}</ul></nav>`
    : ''
}
<main id="main">
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>
`;
}

/** A hidden input carrying the CSRF token: every form that posts has one. */
export const csrfInput = (token: string): Html => html`<input type="hidden" name="_csrf" value="${token}">`;
