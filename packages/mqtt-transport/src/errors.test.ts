import { describe, expect, it } from 'vitest';
import { describeTransportError, TRANSPORT_ERROR_CODES, TransportError } from './errors.js';

describe('TransportError', () => {
  it('keeps its code and cause and is recognised across copies', () => {
    const cause = new Error('socket hang up');
    const error = new TransportError('CONNECT_FAILED', 'broker:1883', { cause });
    expect(error.code).toBe('CONNECT_FAILED');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('broker:1883');
    expect(TransportError.isInstance(error)).toBe(true);
    expect(TransportError.isInstance(new Error('x'))).toBe(false);
    expect(TransportError.isInstance({ code: 'CONNECT_FAILED' })).toBe(false);
  });

  it('has an English and a French text for every code, and they differ', () => {
    for (const code of TRANSPORT_ERROR_CODES) {
      expect(describeTransportError(code, 'en')).not.toBe('');
      expect(describeTransportError(code, 'fr')).not.toBe(describeTransportError(code, 'en'));
    }
  });
});
