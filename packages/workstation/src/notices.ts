import { type Html, html } from '@xmcomm/web-kit';
import type { FastifyRequest } from 'fastify';
import { say } from './context.js';
import type { NounTexts } from './noun-texts.js';
import { texts } from './texts.js';

// After a POST the browser is redirected (303) to a page that says what was done: the query names
// one of these notices by key, so no text from the URL is ever shown as it is.
const notices = (words: NounTexts) => ({
  drafted: words.drafted,
  edited: words.edited,
  verified: words.verified,
  validated: words.validated,
  cancelled: words.cancelled,
  discarded: texts.discarded,
  'user-added': texts.userAdded,
  'user-changed': texts.userChanged,
  'password-changed': texts.passwordChanged,
});

export type NoticeKey = keyof ReturnType<typeof notices>;

export function noticeUrl(
  path: string,
  key: NoticeKey,
  params: Readonly<Record<string, string>> = {},
): string {
  const query = new URLSearchParams({ done: key, ...params });
  return `${path}?${query}`;
}

/** The notice a redirected page shows, if its query names one (a record named in `words`' noun). */
export function noticeOf(request: FastifyRequest, words: NounTexts): Html {
  const query = request.query as Record<string, unknown>;
  const key = query.done;
  const all = notices(words);
  if (typeof key !== 'string' || !(key in all)) return html``;
  const params: Record<string, string> = {};
  for (const name of ['ref', 'niu', 'login']) {
    const value = query[name];
    if (typeof value === 'string') params[name] = value.slice(0, 64);
  }
  return html`<p class="notice" role="status">${say(request, all[key as NoticeKey], params)}</p>`;
}
