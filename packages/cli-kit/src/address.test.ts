import { expect, test } from 'vitest';
import { hostProblem, parsePort } from './address.js';

test.each(['127.0.0.1', '0.0.0.0', '::1', '::', 'localhost', '192.168.1.20'])(
  '%s is an address to listen on',
  (host) => {
    expect(hostProblem(host)).toBeUndefined();
  },
);

test.each(['court.local', '300.1.1.1', ''])('%s is refused in both languages', (host) => {
  expect(hostProblem(host)).toEqual({
    en: `${host} is not an IP address.`,
    fr: `${host} n'est pas une adresse IP.`,
  });
});

test.each([
  ['0', 0],
  ['8080', 8080],
  ['65535', 65_535],
])('%s is port %i', (value, port) => {
  expect(parsePort(value)).toEqual({ port });
});

test.each(['65536', '-1', '80a', '', '123456'])('%s is no port', (value) => {
  expect(parsePort(value)).toEqual({
    problem: { en: `${value} is not a port (0-65535).`, fr: `${value} n'est pas un port (0-65535).` },
  });
});
