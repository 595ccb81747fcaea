import { expect, test } from 'vitest';
import { describeRefusal, mayUse, refusalReasons, type Service, services } from './status-gate.js';

const table: Record<number, Service[]> = {
  0: [],
  1: ['account-query', 'profile-query'],
  2: ['account-query', 'profile-query', 'messages'],
  3: ['account-query', 'profile-query', 'messages', 'sds-export', 'sds-import'],
};

test.each([0, 1, 2, 3])('status %i allows exactly its services', (status) => {
  for (const service of services) {
    const result = mayUse(status, service);
    if (table[status]?.includes(service)) expect(result).toEqual({ ok: true });
    else expect(result).toEqual({ ok: false, reason: status === 0 ? 'suspended' : 'service-not-allowed' });
  }
});

test('a status outside 0-3 fails closed as suspended', () => {
  for (const status of [-1, 4, 1.5, Number.NaN]) {
    expect(mayUse(status, 'account-query')).toEqual({ ok: false, reason: 'suspended' });
  }
});

test('every refusal reason has an English and a French text', () => {
  for (const reason of refusalReasons) {
    expect(describeRefusal(reason, 'en')).toMatch(/\w/);
    expect(describeRefusal(reason, 'fr')).not.toBe(describeRefusal(reason, 'en'));
  }
});
