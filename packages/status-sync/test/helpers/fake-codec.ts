import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AnyTable } from '@xmcomm/schema';
import type { ContainerCodec, OpenResult, SealInput } from '../../src/index.js';

/**
 * A stand-in codec for tests: JSON, authenticated with an HMAC key per matricule (the "certificate").
 * It checks what the real codec checks that matters here: who signed, and that bytes are intact.
 * Rows carry the fingerprint of the sender's contract, so a different contract is detectable.
 */
export function createFakeCodec(options: {
  keys: ReadonlyMap<string, Buffer>;
  tables: readonly AnyTable[];
  /** Sign with this matricule's key whatever the header says (an impostor). */
  signAs?: string;
}): ContainerCodec {
  const sign = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('base64');
  return {
    async seal(input: SealInput) {
      const signer = options.signAs ?? input.sender;
      const key = options.keys.get(signer);
      if (!key) throw new Error(`no key for ${signer}`);
      const containerId = input.containerId ?? randomUUID();
      const table = input.table ?? null;
      const fingerprint = table
        ? (options.tables.find((t) => t.name === table)?.fingerprint.slice(0, 16) ?? null)
        : null;
      const payload = JSON.stringify({
        header: {
          containerId,
          sender: input.sender,
          recipient: input.recipient,
          createdAt: (input.createdAt ?? new Date()).toISOString(),
          sequence: input.sequence,
          table,
          fingerprint,
        },
        body: input.body,
      });
      const bytes = Buffer.from(JSON.stringify({ payload, signer, signature: sign(key, payload) }));
      return { bytes: new Uint8Array(bytes), containerId };
    },
    async open(bytes: Uint8Array): Promise<OpenResult> {
      let outer: { payload: string; signer: string; signature: string };
      try {
        outer = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        return { ok: false, error: { code: 'malformed', message: 'not JSON' } };
      }
      const key = typeof outer?.signer === 'string' ? options.keys.get(outer.signer) : undefined;
      if (!key) return { ok: false, error: { code: 'unknown-signer', message: 'unknown signer' } };
      const expected = Buffer.from(sign(key, String(outer.payload)));
      const given = Buffer.from(String(outer.signature));
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        return { ok: false, error: { code: 'bad-signature', message: 'bad signature' } };
      }
      const { header, body } = JSON.parse(outer.payload);
      return {
        ok: true,
        value: {
          header: { ...header, createdAt: new Date(header.createdAt) },
          body,
          signer: { matricule: outer.signer, subjectKeyIdentifier: outer.signer },
        },
      };
    },
  };
}
