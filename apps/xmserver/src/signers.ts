import { TrustStore } from '@xmcomm/pki';
import type { SignerResolver } from '@xmcomm/sdc-codec';
import type { ServerDb } from './database.js';

/** How far back `reload` looks for revocations: longer than any transaction that records one. */
const revocationOverlapMs = 10 * 60_000;

/**
 * Who may sign the containers the server opens: certificates recorded in xm_system.certificates
 * (site, signatory), not revoked, chaining to a CA recorded there. A certificate enrolled after the
 * service started is found on its first container, without a restart.
 *
 * Registrations are kept between reloads: a reload forgets only the certificates revoked since the
 * last one (and everything when the CAs changed). Forgetting them all each minute made every site
 * that sent afterwards pay a database look-up and a certificate parse again (a few ms each), several
 * times over when its containers came at once; a look-up in progress is now shared.
 */
export async function createServerSigners(
  db: ServerDb,
): Promise<SignerResolver & { reload(): Promise<void> }> {
  let store = new TrustStore();
  let anchorsSeen: string | undefined;
  let revocationsFrom: Date | undefined;
  const registering = new Map<string, Promise<boolean>>();

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
      const next = new TrustStore();
      for (const anchor of anchors) next.addTrustAnchor(new Uint8Array(anchor.der));
      store = next;
      anchorsSeen = anchorsNow;
    } else if (revocationsFrom) {
      const revoked = await db
        .selectFrom('xm_system.certificates')
        .select('subject_key_identifier')
        .where('purpose', 'in', ['site', 'signatory'])
        .where('revoked_at', '>=', revocationsFrom)
        .execute();
      for (const { subject_key_identifier } of revoked) store.unregisterCertificate(subject_key_identifier);
    }
    revocationsFrom = new Date(new Date(now).getTime() - revocationOverlapMs);
  };
  await reload();

  const lookUpAndRegister = async (hex: string): Promise<boolean> => {
    const row = await db
      .selectFrom('xm_system.certificates as k')
      .leftJoin('xm_system.clients as c', 'c.id', 'k.client_id')
      .select(['k.der', 'c.matricule'])
      .where('k.subject_key_identifier', '=', hex)
      .where('k.purpose', 'in', ['site', 'signatory'])
      .where('k.revoked_at', 'is', null)
      .orderBy('k.id', 'desc')
      .executeTakeFirst();
    if (!row) return false;
    const registered = store.registerCertificate(
      new Uint8Array(row.der),
      row.matricule ? { matricule: row.matricule } : {},
    );
    return registered.ok;
  };
  const register = (hex: string): Promise<boolean> => {
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
        if (!(await register(Buffer.from(subjectKeyIdentifier).toString('hex')))) return check;
        check = store.checkSigner(subjectKeyIdentifier, options);
      }
      return check;
    },
    /** Forgets the registrations revoked since the last call, or all if the CAs changed (housekeeping calls it). */
    reload,
  };
}
