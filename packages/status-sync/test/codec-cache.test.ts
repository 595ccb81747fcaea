import * as crypto from 'node:crypto';
import { exportPrivateKey } from '@xmcomm/pki';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { createSdcCodec } from '../src/index.js';
import { type Identities, issueIdentities } from './helpers/identities.js';

// Every module of this file sees the spied createPrivateKey (sdc-codec's included), so the count
// below is every decryption of the server's encrypted key, wherever it would happen.
vi.mock('node:crypto', async (original) => {
  const actual = await original<typeof import('node:crypto')>();
  return { ...actual, createPrivateKey: vi.fn(actual.createPrivateKey) };
});

const sites = ['CEC-0001', 'CEC-0002', 'CEC-0003', 'CEC-0004'];
let ids: Identities;
beforeAll(async () => {
  ids = await issueIdentities('XMSERVER', sites);
});

function serverCodec(options: { encoderCacheSize?: number; calls?: (string | null)[] } = {}) {
  const passphrase = 'correct horse battery staple';
  const privateKey = exportPrivateKey(ids.server.keys.privateKey, { passphrase });
  return createSdcCodec({
    signer: { privateKey, passphrase, certificate: ids.server.certificate.der },
    recipient: { privateKey, passphrase, certificate: ids.server.certificate.der },
    signers: { checkSigner: () => ({ ok: false, error: { code: 'unknown-signer', message: 'none' } }) },
    recipientsFor: (matricule) => {
      options.calls?.push(matricule);
      const site = ids.sites.find((s) => s.matricule === matricule);
      return site ? [{ certificate: site.certificate.der }] : [];
    },
    ...(options.encoderCacheSize ? { encoderCacheSize: options.encoderCacheSize } : {}),
  });
}

const receipt = (to: string) => ({
  sender: 'XMSERVER',
  recipient: to,
  sequence: 1,
  body: { kind: 'receipt' as const, receipt: { acknowledges: crypto.randomUUID(), results: [] } },
});

describe('createSdcCodec on a server that answers many sites', () => {
  test('an encrypted private key is decrypted once, not once per recipient', async () => {
    const spy = vi.mocked(crypto.createPrivateKey);
    spy.mockClear();
    const codec = serverCodec();
    for (const site of sites) await codec.seal(receipt(site));
    // One for the signer, shared with the decoder since it is the same key; none per recipient.
    expect(spy).toHaveBeenCalledTimes(1);
  });

  test('encoders are kept for the most recently used recipients only', async () => {
    const calls: (string | null)[] = [];
    const codec = serverCodec({ encoderCacheSize: 2, calls });
    for (const to of ['CEC-0001', 'CEC-0002', 'CEC-0001', 'CEC-0003', 'CEC-0002', 'CEC-0001'])
      await codec.seal(receipt(to));
    // 0001 and 0002 loaded; 0001 reused; 0003 pushes out 0002 (least recently used); 0002 loaded
    // again and pushes out 0001, which is then loaded again.
    expect(calls).toEqual(['CEC-0001', 'CEC-0002', 'CEC-0003', 'CEC-0002', 'CEC-0001']);
  });
});
