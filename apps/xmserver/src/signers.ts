import { TrustStore } from '@xmcomm/pki';
import type { SignerResolver } from '@xmcomm/sdc-codec';
import type { ServerDb } from './database.js';

/**
 * Who may sign the containers the server opens: certificates recorded in xm_system.certificates
 * (site, signatory), not revoked, chaining to a CA recorded there. A certificate enrolled after the
 * service started is found on its first container, without a restart.
 */
export async function createServerSigners(
  db: ServerDb,
): Promise<SignerResolver & { reload(): Promise<void> }> {
  let store = new TrustStore();
  const load = async () => {
    const next = new TrustStore();
    const anchors = await db
      .selectFrom('xm_system.certificates')
      .select('der')
      .where('purpose', '=', 'ca')
      .where('revoked_at', 'is', null)
      .execute();
    for (const anchor of anchors) next.addTrustAnchor(new Uint8Array(anchor.der));
    store = next;
  };
  await load();
  const register = async (hex: string): Promise<boolean> => {
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
  return {
    async checkSigner(subjectKeyIdentifier, options = {}) {
      const first = store.checkSigner(subjectKeyIdentifier, options);
      if (first.ok || first.error.code !== 'unknown-signer') return first;
      if (!(await register(Buffer.from(subjectKeyIdentifier).toString('hex')))) return first;
      store.clearCache();
      return store.checkSigner(subjectKeyIdentifier, options);
    },
    /** Forgets every registration, so revocations recorded since take effect (housekeeping calls it). */
    reload: load,
  };
}
