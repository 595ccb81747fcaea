/**
 * `trust-list export`: the signed list a document verifier needs offline. It names the national CA,
 * the certificates of the active signatories of the Signataires register (a site's document key is
 * registered as a signatory of that site, never its container key), the revoked ones, an issue
 * date, an expiry and a sequence number that grows with each export, so a verifier refuses a list
 * older than the one it holds. The server's key (certified by the national CA) signs it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  createTrustList,
  DocumentsError,
  keyIdentifier,
  readTrustList,
  type TrustList,
  trustListToText,
} from '@xmcomm/documents';
import { certificateDer, importPrivateKey, inspectCertificate } from '@xmcomm/pki';
import { audited } from '../audit.js';
import { parseMatricule } from '../clients.js';
import { access, handler, type XmCommand } from '../command.js';
import type { Io } from '../context.js';
import { asDate, nowForUpdate } from '../database.js';
import { XmServerError } from '../errors.js';
import { openIdentity } from '../pki-store.js';
import { publishDown, record, type SendOptions, sealFor, withSendOptions } from './client-messages.js';

const SEQUENCE_SETTING = 'trust-list-sequence';

function invalidDays(value: string): XmServerError {
  return new XmServerError('invalid-argument', 'days', {
    params: { name: '--days', value, hint: 'Expected 1-999.', hintFr: '1 à 999 attendu.' },
  });
}

export function registerTrustList(program: XmCommand, io: Io): void {
  const trustList = program
    .command('trust-list')
    .description('the signed list of certificates allowed to seal documents, for offline verifiers');
  trustList
    .command('export')
    .description('sign and write the next trust list (national CA, signatories, revocations)')
    .requiredOption('--out <file>', 'the file to write')
    .option('--days <n>', 'validity in days', '30')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, options: { out: string; days: string }) => {
        if (!/^\d{1,3}$/.test(options.days) || Number(options.days) < 1) throw invalidDays(options.days);
        const db = await ctx.database();
        const identity = await openIdentity(db, ctx.config.dataDir, ctx.io.env);
        const serverKey = importPrivateKey(identity.serverKeyPem, { passphrase: identity.passphrase });
        const serverCertificate = certificateDer(identity.serverCertificatePem);
        const caCertificate = certificateDer(identity.caPem);
        const caInfo = inspectCertificate(identity.caPem);
        if (!serverKey.ok || !serverCertificate.ok || !caCertificate.ok || !caInfo.ok) {
          throw new XmServerError('key-unavailable', 'server key', {
            params: {
              detail: 'the server key or certificate',
              detailFr: 'la clé ou le certificat du serveur',
            },
          });
        }
        if (serverKey.value.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
          throw new XmServerError('key-unavailable', 'server key type', {
            params: {
              detail: 'the trust list is signed ES256: the server key must be EC P-256',
              detailFr: 'la liste de confiance est signée en ES256 : la clé du serveur doit être EC P-256',
            },
          });
        }
        const rows = await db
          .selectFrom('xm_system.signatories as s')
          .innerJoin('xm_system.certificates as k', 'k.id', 's.certificate_id')
          .leftJoin('xm_system.clients as c', 'c.id', 's.client_id')
          .select([
            's.full_name',
            's.active',
            'c.matricule',
            'k.der',
            'k.issuer',
            'k.revoked_at',
            'k.revocation_reason',
            'k.not_after',
          ])
          .orderBy('s.id')
          .execute();
        const now = new Date();
        // Certificates under another trusted CA cannot be checked against the national CA: left out.
        const national = rows.filter((row) => row.issuer === caInfo.value.subject);
        const signers = national
          .filter((row) => row.active && row.revoked_at === null && asDate(row.not_after) > now)
          .map((row) => ({
            certificate: new Uint8Array(row.der),
            label: row.matricule ? `${row.full_name} (${row.matricule})` : row.full_name,
          }));
        const revocations = national
          .filter((row) => row.revoked_at !== null)
          .map((row) => ({
            keyIdentifier: keyIdentifier(new Uint8Array(row.der)),
            revokedAt: asDate(row.revoked_at),
            reason: row.revocation_reason ?? 'unspecified',
          }));
        const exported = await audited(db, ctx.operator, 'trust-list.export', async (trx) => {
          const setting = await trx
            .selectFrom('xm_system.settings')
            .select('value')
            .where('key', '=', SEQUENCE_SETTING)
            .executeTakeFirst();
          const sequence = Number(setting?.value ?? 0) + 1;
          await trx
            .insertInto('xm_system.settings')
            .values({ key: SEQUENCE_SETTING, value: JSON.stringify(sequence) })
            .onConflict((oc) =>
              oc.column('key').doUpdateSet({ value: JSON.stringify(sequence), updated_at: nowForUpdate() }),
            )
            .execute();
          const bytes = createTrustList(
            {
              sequence,
              issuedAt: now,
              expiresAt: new Date(now.getTime() + Number(options.days) * 86_400_000),
              issuer: ctx.config.serverName,
              caCertificate: caCertificate.value,
              signers,
              revocations,
            },
            { privateKey: serverKey.value, chain: [serverCertificate.value] },
          );
          // Written inside the transaction: a list whose number was not recorded never leaves.
          await writeFile(options.out, trustListToText(bytes), { mode: 0o644 });
          return {
            result: { sequence },
            target: `trust-list-${sequence}`,
            details: { signers: signers.length, revoked: revocations.length },
          };
        });
        ctx.print(
          {
            file: options.out,
            sequence: exported.sequence,
            signers: signers.length,
            revoked: revocations.length,
            skipped: rows.length - national.length,
          },
          () =>
            `Trust list ${exported.sequence}: ${signers.length} signer(s), ${revocations.length} revoked -> ${options.out}`,
        );
      }),
    );

  withSendOptions(
    trustList
      .command('send')
      .description('send a site the trust list a file holds; the site keeps it if newer than its own')
      .argument('<file>', 'a trust list written by trust-list export')
      .requiredOption('--client <matricule>', 'the site')
      .requires(access.operator),
  ).action(
    handler(io, async (ctx, file: string, options: SendOptions & { client: string }) => {
      const matricule = parseMatricule(options.client);
      const text = await readListFile(file);
      const sealed = await sealFor(ctx, matricule, (sync) =>
        sync.pushTrustList(matricule, { sequence: text.list.content.sequence, text: text.armoured }),
      );
      const sent = await publishDown(ctx, matricule, sealed, options);
      await record(ctx, 'trust-list.send', matricule, {
        bytes: sent.bytes,
        sequence: text.list.content.sequence,
      });
      ctx.print(
        { matricule, sent: 'trust-list', sequence: text.list.content.sequence, ...sent },
        () => `Trust list ${text.list.content.sequence} sent to ${matricule} (${sent.bytes} bytes).`,
      );
    }),
  );
}

/** A trust list file, checked (signature, certificates) before it goes to any site. */
async function readListFile(file: string): Promise<{ armoured: string; list: TrustList }> {
  let armoured: string;
  try {
    armoured = await readFile(file, 'utf8');
  } catch (cause) {
    throw new XmServerError('invalid-argument', `cannot read ${file}`, {
      cause,
      params: {
        name: 'file',
        value: file,
        hint: 'The file cannot be read.',
        hintFr: 'Le fichier est illisible.',
      },
    });
  }
  try {
    return { armoured, list: readTrustList(armoured) };
  } catch (cause) {
    if (!DocumentsError.isInstance(cause)) throw cause;
    throw new XmServerError('invalid-argument', 'trust list', {
      cause,
      params: { name: 'trust list', value: file, hint: cause.message, hintFr: cause.messageFr },
    });
  }
}
