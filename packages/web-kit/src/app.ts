import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { csrfTokenFor, isValidCsrfToken } from './csrf.js';
import { WebKitError } from './errors.js';
import { type Html, html } from './html.js';
import { chooseLanguage, format, isLanguage, type Language, type Text } from './i18n.js';
import { layout, type NavLink } from './layout.js';
import { webTexts } from './messages.js';
import {
  createSessionManager,
  type SessionPolicy,
  type SessionStore,
  type StoredSession,
} from './session.js';

/** The least an app's user has; apps use their own richer type. */
export interface WebUser {
  readonly id: number;
  readonly login: string;
  readonly privilege: number;
}

/** What every request knows once the web layer has looked at it. */
export interface WebState {
  readonly language: Language;
  /** The logged-in user, loaded from the database at each request (a changed privilege counts at once). */
  readonly user: WebUser | undefined;
  readonly session: StoredSession | undefined;
  /** The token the pages of this request put in their forms. */
  readonly csrfToken: string;
  /** The client's address: the workstation that history lines name. */
  readonly workstation: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    web: WebState;
  }
}

export interface WebAppOptions<U extends WebUser> {
  readonly appTitle: Text;
  readonly sessions: SessionStore;
  readonly sessionPolicy?: SessionPolicy;
  /** The user behind a session, as the database says now; undefined (gone) or privilege 0 ends the session. */
  readonly loadUser: (id: number) => Promise<U | undefined>;
  /** The header's line about the user and the navigation links, for a logged-in user. */
  readonly who?: (user: U, language: Language) => string;
  readonly nav?: (user: U | undefined, language: Language, path: string) => readonly NavLink[];
  /** CSS appended to the web layer's own, in the one stylesheet. */
  readonly css?: string;
  /** Language when neither the switch nor the browser names French or English. Default French. */
  readonly defaultLanguage?: Language;
  /** Pino logger options, or false. Default: warnings and errors on stderr. */
  readonly logger?: boolean | { readonly level: string; readonly stream?: { write(line: string): void } };
  /** Largest request body accepted, in bytes. Default 256 KiB. */
  readonly bodyLimit?: number;
  /**
   * Accept `multipart/form-data` forms (a file input) too: one file of at most `maxFileBytes`,
   * read into memory; `formFile` gives it, `formValue` the text fields (and the CSRF token) as for
   * an urlencoded form. Off by default.
   */
  readonly uploads?: { readonly maxFileBytes: number };
  /** Serve HTTPS with this certificate and key (PEM); cookies are then `Secure`. */
  readonly https?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /**
   * Behind a reverse proxy: believe its X-Forwarded-For and X-Forwarded-Proto (Fastify's
   * `trustProxy`: true, or the proxy's addresses), so the client's address and HTTPS are known.
   */
  readonly trustProxy?: boolean | string;
}

export interface WebApp<U extends WebUser> {
  readonly fastify: FastifyInstance;
  /** The logged-in user, or a 401 page (GET: a redirect to the login page). */
  requireUser(request: FastifyRequest, minimumPrivilege?: number): U;
  /** Opens a new session for `user` (a fresh token: the old one, if any, is closed) and sets the cookie. */
  logIn(request: FastifyRequest, reply: FastifyReply, user: U): Promise<void>;
  /**
   * Sets the cookie for a session the app opened itself in the store (through its own checks and
   * audit, e.g. xmserver's `openSession`); the old session, if any, is closed as by `logIn`.
   */
  adoptSession(request: FastifyRequest, reply: FastifyReply, token: string): Promise<void>;
  logOut(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Sends a page in the layout (or only its main part to an htmx request). */
  sendPage(
    request: FastifyRequest,
    reply: FastifyReply,
    page: { readonly title: string; readonly body: Html; readonly status?: number },
  ): FastifyReply;
  /** Redirects after a successful POST (303, so a reload does not post again). */
  redirect(reply: FastifyReply, to: string): FastifyReply;
}

const sessionCookie = 'xm_session';
const preSessionCookie = 'xm_pre';
const languageCookie = 'xm_lang';
const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const require = createRequire(import.meta.url);
const htmxScript = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'));
const baseCss = readFileSync(new URL('../assets/web-kit.css', import.meta.url), 'utf8');

/** A path of this site to come back to: never another origin (`//evil`, `https://...`). */
export function localPath(value: unknown, fallback = '/'): string {
  // Browsers drop tabs and line breaks inside a URL ("/\t/evil" is "//evil"): no control character.
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.includes('\\') ||
    hasControlCharacter(value)
  ) {
    return fallback;
  }
  return value.slice(0, 500);
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The first text value of a form field (repeated fields and absent ones give '' or the first). */
export function formValue(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** The file posted in field `name` of a multipart form (see `uploads`), or undefined. */
export function formFile(body: unknown, name: string): Buffer | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first : undefined;
}

/**
 * A Fastify app for people: cookies, urlencoded forms, database sessions, a CSRF check before every
 * state-changing route, the language of each request, htmx and the stylesheet served from here
 * (no CDN: sites are offline), error pages without stack traces in the user's language.
 */
export async function createWebApp<U extends WebUser>(options: WebAppOptions<U>): Promise<WebApp<U>> {
  const sessions = createSessionManager(options.sessions, options.sessionPolicy);
  // Fastify types an HTTPS instance apart; the routes are the same, so it is used as the plain one.
  const fastify = Fastify({
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    logger: options.logger === false ? false : (options.logger ?? { level: 'warn' }),
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    routerOptions: { maxParamLength: 200 },
    // A bad URL encoding or another framework-level refusal gets the same page as any 400.
    frameworkErrors: (error, request, reply) => {
      sendError(request, reply, error.statusCode ?? 400, error);
    },
  });
  await fastify.register(fastifyCookie);
  await fastify.register(fastifyFormbody, { bodyLimit: options.bodyLimit ?? 256 * 1024 });
  if (options.uploads) {
    // Text fields become strings and the file a Buffer, so the CSRF check reads `_csrf` as from any form.
    await fastify.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      // Parsed before any route checks the session: a text field is small (busboy's default is 1 MiB each).
      limits: {
        fileSize: options.uploads.maxFileBytes,
        files: 1,
        fields: 30,
        parts: 31,
        fieldSize: 8 * 1024,
        fieldNameSize: 100,
      },
    });
  }
  const css = options.css ? `${baseCss}\n${options.css}` : baseCss;
  const t = (request: FastifyRequest, text: Text) => text[languageOf(request)];

  function languageOf(request: FastifyRequest): Language {
    return (
      request.web?.language ??
      chooseLanguage({
        cookie: request.cookies?.[languageCookie],
        acceptLanguage: request.headers['accept-language'],
        fallback: options.defaultLanguage ?? 'fr',
      })
    );
  }

  function cookieOptions(request: FastifyRequest) {
    return {
      httpOnly: true,
      sameSite: 'strict' as const,
      path: '/',
      secure: request.protocol === 'https',
    };
  }

  fastify.decorateRequest('web', null as unknown as WebState);

  fastify.addHook('onRequest', async (request, reply) => {
    const language = languageOf(request);
    let user: U | undefined;
    let session: StoredSession | undefined;
    const token = request.cookies[sessionCookie];
    if (token) {
      session = await sessions.resume(token);
      if (session) {
        user = await options.loadUser(session.userId);
        if (!user || user.privilege < 1) {
          await sessions.close(token);
          session = undefined;
          user = undefined;
        }
      }
      if (!session) reply.clearCookie(sessionCookie, { path: '/' });
    }
    let secret = session ? token : request.cookies[preSessionCookie];
    if (!secret) {
      secret = randomBytes(32).toString('base64url');
      reply.setCookie(preSessionCookie, secret, cookieOptions(request));
    }
    request.web = {
      language,
      user,
      session,
      csrfToken: csrfTokenFor(secret as string),
      workstation: request.ip,
    };
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
  });

  fastify.addHook('preHandler', async (request) => {
    if (!stateChanging.has(request.method)) return;
    const secret = request.web.session ? request.cookies[sessionCookie] : request.cookies[preSessionCookie];
    const given = request.headers['x-csrf-token'] ?? formValue(request.body, '_csrf');
    if (!secret || !isValidCsrfToken(secret, given)) {
      request.log.warn(
        {
          event: 'csrf-refused',
          method: request.method,
          url: request.url,
          user: request.web.user?.login,
          workstation: request.web.workstation,
        },
        'refused a state-changing request without a valid CSRF token',
      );
      throw new WebKitError('csrf', 'missing or wrong CSRF token');
    }
  });

  function sendPage(
    request: FastifyRequest,
    reply: FastifyReply,
    page: { readonly title: string; readonly body: Html; readonly status?: number },
  ): FastifyReply {
    const web = request.web;
    const language = languageOf(request);
    const user = web?.user as U | undefined;
    const path = localPath(request.url);
    const isHtmx = request.headers['hx-request'] === 'true' && request.headers['hx-boosted'] !== 'true';
    const document = isHtmx
      ? page.body
      : layout({
          language,
          title: page.title,
          appTitle: options.appTitle,
          body: page.body,
          csrfToken: web?.csrfToken ?? '',
          path,
          nav: options.nav?.(user, language, path) ?? [],
          ...(user && options.who ? { who: options.who(user, language) } : {}),
        });
    return reply
      .status(page.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(document.toString());
  }

  function sendError(request: FastifyRequest, reply: FastifyReply, status: number, error: unknown) {
    const texts: Record<number, [Text, Text]> = {
      400: [webTexts.badRequestTitle, webTexts.badRequest],
      401: [webTexts.loginRequiredTitle, webTexts.loginRequired],
      403: [webTexts.forbiddenTitle, webTexts.forbidden],
      404: [webTexts.notFoundTitle, webTexts.notFound],
      413: [webTexts.tooLargeTitle, webTexts.tooLarge],
    };
    let code = status;
    if (WebKitError.isInstance(error) && error.code === 'csrf') {
      texts[403] = [webTexts.csrfTitle, webTexts.csrf];
    }
    if (code >= 500 || !(code >= 400)) code = 500;
    const reference = randomBytes(4).toString('hex');
    if (code === 500) request.log.error({ err: error, reference }, 'page failed');
    const [title, message] = texts[code] ??
      (code < 500 ? texts[400] : undefined) ?? [webTexts.serverErrorTitle, webTexts.serverError];
    const shownCode = texts[code] ? code : code < 500 ? 400 : 500;
    const body = html`<p class="error-message" role="alert">${format(t(request, message), { reference })}</p>
<p>${code === 401 ? html`<a class="button" href="/login?next=${encodeURIComponent(localPath(request.url))}">${t(request, webTexts.logIn)}</a>` : html`<a href="/">${t(request, webTexts.backHome)}</a>`}</p>`;
    if (!request.web) {
      // Refused before the request hooks ran (a bad URL): a page without a session.
      request.web = {
        language: languageOf(request),
        user: undefined,
        session: undefined,
        csrfToken: '',
        workstation: request.ip,
      };
    }
    return sendPage(request, reply, { title: t(request, title), body, status: shownCode });
  }

  fastify.setErrorHandler((error: FastifyError | WebKitError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 401 && request.method === 'GET' && request.headers['hx-request'] !== 'true') {
      return reply.redirect(`/login?next=${encodeURIComponent(localPath(request.url))}`, 303);
    }
    return sendError(request, reply, status, error);
  });
  fastify.setNotFoundHandler((request, reply) => sendError(request, reply, 404, undefined));

  fastify.get('/assets/htmx.min.js', (_request, reply) =>
    reply
      .header('cache-control', 'public, max-age=86400')
      .type('text/javascript; charset=utf-8')
      .send(htmxScript),
  );
  fastify.get('/assets/style.css', (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(css),
  );
  fastify.get<{ Params: { language: string }; Querystring: { back?: string } }>(
    '/language/:language',
    (request, reply) => {
      const language = request.params.language;
      if (!isLanguage(language)) throw new WebKitError('not-found', 'no such language');
      reply.setCookie(languageCookie, language, {
        ...cookieOptions(request),
        maxAge: 365 * 24 * 3600,
      });
      return reply.redirect(localPath(request.query.back), 303);
    },
  );

  return {
    fastify,
    requireUser(request, minimumPrivilege = 1) {
      const user = request.web.user as U | undefined;
      if (!user) throw new WebKitError('not-logged-in', 'not logged in');
      if (user.privilege < minimumPrivilege) {
        request.log.warn(
          {
            event: 'forbidden',
            method: request.method,
            url: request.url,
            user: user.login,
            privilege: user.privilege,
            required: minimumPrivilege,
            workstation: request.web.workstation,
          },
          'refused a request above the user privilege',
        );
        throw new WebKitError('forbidden', 'privilege too low');
      }
      return user;
    },
    async logIn(request, reply, user) {
      const old = request.cookies[sessionCookie];
      if (old) await sessions.close(old);
      const token = await sessions.open(user.id, request.web.workstation);
      reply.setCookie(sessionCookie, token, cookieOptions(request));
      reply.clearCookie(preSessionCookie, { path: '/' });
    },
    async adoptSession(request, reply, token) {
      const old = request.cookies[sessionCookie];
      if (old && old !== token) await sessions.close(old);
      reply.setCookie(sessionCookie, token, cookieOptions(request));
      reply.clearCookie(preSessionCookie, { path: '/' });
    },
    async logOut(request, reply) {
      const token = request.cookies[sessionCookie];
      if (token) await sessions.close(token);
      reply.clearCookie(sessionCookie, { path: '/' });
    },
    sendPage,
    redirect: (reply, to) => reply.redirect(localPath(to), 303),
  };
}

export type { FastifyBaseLogger };
