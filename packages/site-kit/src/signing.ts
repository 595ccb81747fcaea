import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { verifyPassword } from '@xmcomm/pki';
import { SiteKitError } from './errors.js';
import type { KitDb } from './tables.js';
import type { SessionUser } from './users.js';

// The head's signature over a validated record. Each head has an ECDSA P-256 key whose private
// half is stored in the centre's database as encrypted PKCS#8 (PBES2, AES-256-CBC) under the head's
// own password: any workstation can sign for the head who logs in there, and nobody else can.

/** The bytes that are signed: the record as canonical JSON (sorted keys, the table and the centre named). */
export function canonicalRecord(
  table: string,
  matricule: string,
  row: Readonly<Record<string, unknown>>,
): Uint8Array {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(row).sort()) {
    if (key === 'numero' || key === 'status') continue;
    const value = row[key];
    fields[key] = value instanceof Date ? value.toISOString() : value;
  }
  return new TextEncoder().encode(JSON.stringify({ table, matricule, fields }));
}

export function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface UnlockedKey {
  readonly id: number;
  readonly privateKey: KeyObject;
}

/**
 * The user's active signing key, unlocked with their password; made on first use, and then only
 * once the password is checked against the user's own hash: otherwise a wrong password would
 * become the key's and the head's first signature would be made under it.
 */
export async function unlockSigningKey(db: KitDb, user: SessionUser, password: string): Promise<UnlockedKey> {
  const existing = await db
    .selectFrom('xm_site.user_keys')
    .select(['id', 'encrypted_private_key'])
    .where('user_id', '=', user.id)
    .where('retired_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (existing) {
    try {
      const privateKey = createPrivateKey({
        key: Buffer.from(existing.encrypted_private_key),
        format: 'der',
        type: 'pkcs8',
        passphrase: password,
      });
      return { id: existing.id, privateKey };
    } catch (cause) {
      throw new SiteKitError(
        'key-unavailable',
        {
          detail: `${user.login}'s key does not open with this password.`,
          detailFr: `la clé de ${user.login} ne s'ouvre pas avec ce mot de passe.`,
        },
        { cause },
      );
    }
  }
  const account = await db
    .selectFrom('xm_site.users')
    .select('password_hash')
    .where('id', '=', user.id)
    .executeTakeFirst();
  if (!account || !(await verifyPassword(password, account.password_hash))) {
    throw new SiteKitError('key-unavailable', {
      detail: `this is not ${user.login}'s password.`,
      detailFr: `ce n'est pas le mot de passe de ${user.login}.`,
    });
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const row = await db
    .insertInto('xm_site.user_keys')
    .values({
      user_id: user.id,
      public_key: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      encrypted_private_key: encryptPrivateKey(privateKey, password),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, privateKey };
}

function encryptPrivateKey(privateKey: KeyObject, password: string): Uint8Array {
  return new Uint8Array(
    privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: password }),
  );
}

/** After a password change: the same key, locked again under the new password. */
export async function relockSigningKeys(
  db: KitDb,
  user: SessionUser,
  oldPassword: string,
  newPassword: string,
): Promise<void> {
  const keys = await db
    .selectFrom('xm_site.user_keys')
    .select(['id', 'encrypted_private_key'])
    .where('user_id', '=', user.id)
    .where('retired_at', 'is', null)
    .execute();
  for (const key of keys) {
    const privateKey = createPrivateKey({
      key: Buffer.from(key.encrypted_private_key),
      format: 'der',
      type: 'pkcs8',
      passphrase: oldPassword,
    });
    await db
      .updateTable('xm_site.user_keys')
      .set({ encrypted_private_key: encryptPrivateKey(privateKey, newPassword) })
      .where('id', '=', key.id)
      .execute();
  }
}

/** Retires a user's keys (the head reset their password, so nobody can open them any more). */
export async function retireSigningKeys(db: KitDb, userId: number): Promise<void> {
  await db
    .updateTable('xm_site.user_keys')
    .set({ retired_at: new Date() })
    .where('user_id', '=', userId)
    .where('retired_at', 'is', null)
    .execute();
}

export function signBytes(privateKey: KeyObject, bytes: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha256', bytes, privateKey));
}

export function verifyBytes(publicKeyDer: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean {
  try {
    const publicKey = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
    return verify('sha256', bytes, publicKey, signature);
  } catch {
    return false;
  }
}
