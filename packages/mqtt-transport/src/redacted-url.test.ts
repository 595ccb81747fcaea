import { expect, test } from 'vitest';
import { redactedUrl } from './redacted-url.js';

test.each([
  ['mqtt://xms:broker-secret@127.0.0.1:1883', 'mqtt://xms@127.0.0.1:1883'],
  ['mqtts://site:p%40ss@broker.example:8883/', 'mqtts://site@broker.example:8883/'],
  ['mqtt://127.0.0.1:1883', 'mqtt://127.0.0.1:1883'],
  ['mqtt://only-user@127.0.0.1:1883', 'mqtt://only-user@127.0.0.1:1883'],
  ['not a url', 'not a url'],
])('%s is shown as %s', (given, shown) => {
  expect(redactedUrl(given)).toBe(shown);
});
