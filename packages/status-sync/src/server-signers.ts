import { TrustStore } from '@xmcomm/pki';
import type { ServerDatabase } from '@xmcomm/schema';
import type { RecipientOptions, SignerResolver } from '@xmcomm/sdc-codec';
import type { Kysely } from 'kysely';

/** How far back `reload` looks for revocations: longer than any transaction that records one. */
const revocationOverlapMs = 10 * 60_000;

/** What the register says of a certificate asked about for the first time. */
type LookUp = 'registered' | 'unknown' | 'revoked';

export interface ServerSigners extends SignerResolver {
  /** Forgets the registrations revoked since the last call, or all if the CAs changed (housekeeping calls it). */
  reload(): Promise<void>;
}

/**
 * Who may sign the containers a server opens: a certificate recorded in xm_system.certificates as a
 * client's own `site` certificate, not revoked, chaining to a CA recorded there, and nothing else.
 * The signer's matricule is always that client's: never one read from the certificate's subject, so
 * a certificate can sign for its own site only. Signatories sign documents, never containers, and a
 * certificate that merely chains to a trusted CA (embedded in the message, say, after it was revoked)
 * is not a signer.
 *
 * A certificate enrolled after the service started is found on its first container, without a
 * restart. Registrations are kept between reloads: a reload forgets only the certificates revoked
 * since the last one (and everything when the CAs changed); a look-up in progress is shared by the
 * containers of one site that ask at once.
 */
export async function createServerSigners(db: Kysely<ServerDatabase>): Promise<ServerSigners> {
  const strictStore = () => new TrustStore({ requireRegistration: true });
  let store = strictStore();
  let anchorsSeen: string | undefined;
  let revocationsFrom: Date | undefined;
  const registering = new Map<string, Promise<LookUp>>();

  const reload = async () => {
    const { now } = await db.selectNoFrom((eb) => eb.fn<Date>('now', []).as('now')).executeTakeFirstOrThrow();
    const anchors = await db
      .selectFrom('xm_system.certificates')
      .select(['der', 'fingerprint_sha256'])
      .where('purpose', '=', 'ca')
      .where('revoked_at', 'is', null)
      .orderBy('fingerprint_sha256')
      .execute();
    const anchorsNow = anchors.map((anchor) => anchor.fingerprint_sha256).join(',');
    if (anchorsNow !== anchorsSeen) {
      const next = strictStore();
      for (const anchor of anchors) next.addTrustAnchor(new Uint8Array(anchor.der));
      store = next;
      anchorsSeen = anchorsNow;
    } else if (revocationsFrom) {
      const revoked = await db
        .selectFrom('xm_system.certificates')
        .select('subject_key_identifier')
        .where('purpose', '=', 'site')
        .where('revoked_at', '>=', revocationsFrom)
        .execute();
      for (const { subject_key_identifier } of revoked) store.unregisterCertificate(subject_key_identifier);
    }
    revocationsFrom = new Date(new Date(now).getTime() - revocationOverlapMs);
  };
  await reload();

  const lookUpAndRegister = async (hex: string): Promise<LookUp> => {
    const row = await db
      .selectFrom('xm_system.certificates as k')
      .innerJoin('xm_system.clients as c', 'c.id', 'k.client_id')
      .select(['k.der', 'k.revoked_at', 'c.matricule'])
      .where('k.subject_key_identifier', '=', hex)
      .where('k.purpose', '=', 'site')
      // One in force first (a key renewed after a revocation has both), the newest of them.
      .orderBy((eb) => eb('k.revoked_at', 'is', null), 'desc')
      .orderBy('k.id', 'desc')
      .executeTakeFirst();
    if (!row) return 'unknown';
    if (row.revoked_at !== null) return 'revoked';
    return store.registerCertificate(new Uint8Array(row.der), { matricule: row.matricule }).ok
      ? 'registered'
      : 'unknown';
  };
  const register = (hex: string): Promise<LookUp> => {
    let pending = registering.get(hex);
    if (!pending) {
      pending = lookUpAndRegister(hex).finally(() => registering.delete(hex));
      registering.set(hex, pending);
    }
    return pending;
  };

  return {
    async checkSigner(subjectKeyIdentifier, options = {}) {
      let check = store.checkSigner(subjectKeyIdentifier, options);
      // Twice at most: a reload that changed the CAs while the look-up ran replaced the store.
      for (let attempt = 0; attempt < 2; attempt++) {
        if (check.ok || check.error.code !== 'unknown-signer') return check;
        const hex = Buffer.from(subjectKeyIdentifier).toString('hex');
        const found = await register(hex);
        if (found === 'revoked')
          return { ok: false, error: { code: 'revoked', message: `certificate ${hex} is revoked` } };
        if (found === 'unknown') return check;
        check = store.checkSigner(subjectKeyIdentifier, options);
      }
      return check;
    },
    reload,
  };
}

/**
 * Whom a server encrypts for: the site's newest `site` certificate in force. Replies to a site
 * re-enrolled after a wrong or compromised certificate go to its new one.
 */
export function serverRecipients(
  db: Kysely<ServerDatabase>,
): (matricule: string | null) => Promise<readonly RecipientOptions[]> {
  return async (matricule) => {
    if (matricule === null) return [];
    const row = await db
      .selectFrom('xm_system.certificates as k')
      .innerJoin('xm_system.clients as c', 'c.id', 'k.client_id')
      .select('k.der')
      .where('c.matricule', '=', matricule)
      .where('k.purpose', '=', 'site')
      .where('k.revoked_at', 'is', null)
      .orderBy('k.id', 'desc')
      .executeTakeFirst();
    return row ? [{ certificate: new Uint8Array(row.der) }] : [];
  };
}
