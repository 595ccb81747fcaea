import { createHmac, timingSafeEqual } from 'node:crypto';

// A synchronizer token bound to the session: derived from the session's secret token (which only
// the HttpOnly cookie holds), so it needs no storage of its own and dies with the session. Before
// login the secret is a random pre-session cookie, so the login form is guarded too.

/** The CSRF token for pages served to the holder of `secret`. */
export function csrfTokenFor(secret: string): string {
  return createHmac('sha256', secret).update('xmcomm-csrf-v1').digest('base64url');
}

/** Whether `given` is the token for `secret`, compared in constant time. */
export function isValidCsrfToken(secret: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(secret));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
