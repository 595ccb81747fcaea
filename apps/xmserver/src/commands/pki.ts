import { readFile, writeFile } from 'node:fs/promises';
import { inspectCertificateRequest, REVOCATION_REASONS, revocationListToPem, TrustStore } from '@xmcomm/pki';
import { Option } from 'commander';
import { audited } from '../audit.js';
import { getClient, parseMatricule } from '../clients.js';
import { access, handler, type XmCommand } from '../command.js';
import { type Context, formatTable, type Io } from '../context.js';
import { asDate, nowForUpdate } from '../database.js';
import { XmServerError } from '../errors.js';
import {
  certificateFromDer,
  fromPki,
  openIdentity,
  readCertificateFile,
  recordCertificate,
  refuseKeyOfAnother,
} from '../pki-store.js';
import { followBroker } from './broker-sync.js';

async function emit(
  ctx: Context,
  pem: string,
  out: string | undefined,
  data: Record<string, unknown>,
): Promise<void> {
  if (out) await writeFile(out, pem, { mode: 0o644 });
  ctx.print({ ...data, ...(out ? { file: out } : { pem }) }, () =>
    out ? `${String(data.summary)} -> ${out}` : pem.trimEnd(),
  );
}

async function trustStoreOf(ctx: Context): Promise<TrustStore> {
  const db = await ctx.database();
  const store = new TrustStore();
  const anchors = await db
    .selectFrom('xm_system.certificates')
    .select('der')
    .where('purpose', '=', 'ca')
    .where('revoked_at', 'is', null)
    .execute();
  for (const anchor of anchors) store.addTrustAnchor(new Uint8Array(anchor.der));
  return store;
}

function certificateRows(
  rows: readonly {
    serial_number: string;
    purpose: string;
    subject: string;
    not_after: unknown;
    revoked_at: unknown;
  }[],
) {
  return formatTable(
    ['serial', 'purpose', 'subject', 'not after', 'revoked'],
    rows.map((r) => [
      r.serial_number,
      r.purpose,
      r.subject,
      asDate(r.not_after).toISOString().slice(0, 10),
      r.revoked_at ? asDate(r.revoked_at).toISOString() : '',
    ]),
  );
}

export function registerPki(program: XmCommand, client: XmCommand, io: Io): void {
  client
    .command('enrol')
    .description("issue a site's certificate from its PKCS#10 request (the matricule goes into the subject)")
    .argument('<matricule>')
    .requiredOption('--csr <file>', "the site's certificate request (PEM or DER)")
    .option('--out <file>', 'write the certificate here instead of printing it')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, raw: string, options: { csr: string; out?: string }) => {
        const matricule = parseMatricule(raw);
        const db = await ctx.database();
        const found = await getClient(db, matricule);
        const csrBytes = await readFile(options.csr).catch((cause: unknown) => {
          throw new XmServerError('invalid-argument', 'csr unreadable', {
            cause,
            params: {
              name: '--csr',
              value: options.csr,
              hint: 'The file cannot be read.',
              hintFr: 'Le fichier est illisible.',
            },
          });
        });
        const csr = csrBytes.includes('-----BEGIN') ? csrBytes.toString('utf8') : new Uint8Array(csrBytes);
        const request = inspectCertificateRequest(csr);
        if (!request.ok) throw fromPki(request.error, 'certificate request');
        await refuseKeyOfAnother(db, [request.value.subjectKeyIdentifier], found);
        const identity = await openIdentity(db, ctx.config.dataDir, ctx.io.env);
        const issued = await identity.ca
          .issueCertificate({ csr, profile: 'site', subject: { matricule, commonName: found.name } })
          .catch((error: unknown) => {
            throw fromPki(error, 'certificate request');
          });
        const file = certificateFromDer(issued.der, 'site certificate');
        await audited(db, ctx.operator, 'client.enrol', async (trx) => {
          await recordCertificate(trx, {
            der: issued.der,
            info: file.info,
            purpose: 'site',
            clientId: found.id,
          });
          return { result: undefined, target: matricule, details: { serial: issued.serialNumber } };
        });
        await emit(ctx, issued.pem, options.out, {
          summary: `certificate ${issued.serialNumber} for ${matricule}`,
          matricule,
          serialNumber: issued.serialNumber,
          notAfter: file.info.notAfter,
        });
      }),
    );

  client
    .command('cert')
    .description(
      "register a site's certificate issued by an outside CA (that CA must be trusted: pki trust add)",
    )
    .argument('<matricule>')
    .requiredOption('--import <file>', 'the certificate (PEM or DER)')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, raw: string, options: { import: string }) => {
        const matricule = parseMatricule(raw);
        const db = await ctx.database();
        const found = await getClient(db, matricule);
        const file = await readCertificateFile(options.import, 'site certificate');
        if (file.info.matricule !== null && file.info.matricule !== matricule) {
          throw new XmServerError('invalid-certificate', 'matricule differs', {
            params: {
              what: 'site certificate',
              detail: `it names matricule ${file.info.matricule}, not ${matricule}.`,
              detailFr: `il porte le matricule ${file.info.matricule}, pas ${matricule}.`,
            },
          });
        }
        const report = (await trustStoreOf(ctx)).validateCertificate(file.der);
        if (!report.ok) throw fromPki(report.error, 'site certificate');
        await refuseKeyOfAnother(
          db,
          [
            file.info.keyIdentifier,
            ...(file.info.subjectKeyIdentifier ? [file.info.subjectKeyIdentifier] : []),
          ],
          found,
        );
        const recorded = await audited(db, ctx.operator, 'client.cert-import', async (trx) => ({
          result: await recordCertificate(trx, {
            der: file.der,
            info: file.info,
            purpose: 'site',
            clientId: found.id,
          }),
          target: matricule,
          details: { serial: file.info.serialNumber, issuer: file.info.issuer },
        }));
        ctx.print(
          { matricule, serialNumber: file.info.serialNumber, created: recorded.created },
          () =>
            `${matricule}: certificate ${file.info.serialNumber} ${recorded.created ? 'registered' : 'already registered'}`,
        );
      }),
    );

  const pki = program.command('pki').description('the national CA: trusted CAs, revocation, CRL');
  const trust = pki.command('trust').description('CAs whose certificates the server accepts');
  trust
    .command('add')
    .description('trust an outside CA certificate')
    .argument('<file>')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, path: string) => {
        const file = await readCertificateFile(path, 'CA certificate');
        if (!file.info.isCa) {
          throw new XmServerError('invalid-certificate', 'not a CA', {
            params: {
              what: 'CA certificate',
              detail: `${file.info.subject} is not a CA.`,
              detailFr: `${file.info.subject} n'est pas une AC.`,
            },
          });
        }
        const db = await ctx.database();
        const recorded = await audited(db, ctx.operator, 'pki.trust-add', async (trx) => ({
          result: await recordCertificate(trx, { der: file.der, info: file.info, purpose: 'ca' }),
          target: file.info.serialNumber,
          details: { subject: file.info.subject },
        }));
        ctx.print(
          {
            subject: file.info.subject,
            fingerprintSha256: file.info.fingerprintSha256,
            created: recorded.created,
          },
          () => `${recorded.created ? 'Trusted' : 'Already trusted'}: ${file.info.subject}`,
        );
      }),
    );
  trust
    .command('list')
    .description('list trusted CAs')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx) => {
        const rows = await (await ctx.database())
          .selectFrom('xm_system.certificates')
          .select(['serial_number', 'purpose', 'subject', 'not_after', 'revoked_at', 'fingerprint_sha256'])
          .where('purpose', '=', 'ca')
          .orderBy('id')
          .execute();
        ctx.print(
          rows.map((r) => ({ ...r, not_after: asDate(r.not_after).toISOString() })),
          () => certificateRows(rows),
        );
      }),
    );

  pki
    .command('revoke')
    .description('revoke a certificate by serial number; it is listed in the next CRL')
    .argument('<serial>', 'serial number, hex')
    .addOption(
      new Option('--reason <reason>', 'revocation reason')
        .choices(Object.keys(REVOCATION_REASONS))
        .default('unspecified'),
    )
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, rawSerial: string, options: { reason: string }) => {
        const serial = rawSerial.toLowerCase().replace(/:/g, '');
        if (!/^[0-9a-f]{1,64}$/.test(serial)) {
          throw new XmServerError('invalid-argument', 'serial', {
            params: {
              name: 'serial',
              value: rawSerial,
              hint: 'Expected hexadecimal digits.',
              hintFr: 'Chiffres hexadécimaux attendus.',
            },
          });
        }
        const db = await ctx.database();
        const revoked = await audited(db, ctx.operator, 'pki.revoke', async (trx) => {
          const row = await trx
            .updateTable('xm_system.certificates')
            .set({ revoked_at: nowForUpdate(), revocation_reason: options.reason })
            .where('serial_number', '=', serial)
            .where('revoked_at', 'is', null)
            .returning(['id', 'subject', 'purpose'])
            .executeTakeFirst();
          if (!row) throw new XmServerError('unknown-certificate', 'unknown', { params: { serial } });
          if (row.purpose === 'signatory') {
            await trx
              .updateTable('xm_system.signatories')
              .set({ active: false, revoked_at: nowForUpdate() })
              .where('certificate_id', '=', row.id)
              .execute();
          }
          return { result: row, target: serial, details: { reason: options.reason, subject: row.subject } };
        });
        ctx.print(
          { serialNumber: serial, subject: revoked.subject, reason: options.reason },
          () => `Revoked ${serial} (${revoked.subject}).`,
        );
        if (revoked.purpose === 'site') await followBroker(ctx);
      }),
    );

  pki
    .command('crl')
    .description('issue the next certificate revocation list of the national CA')
    .option('--out <file>', 'write the CRL here instead of printing it')
    .option('--days <n>', 'validity in days', '7')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, options: { out?: string; days: string }) => {
        if (!/^\d{1,3}$/.test(options.days) || Number(options.days) < 1) {
          throw new XmServerError('invalid-argument', 'days', {
            params: {
              name: '--days',
              value: options.days,
              hint: 'Expected 1-999.',
              hintFr: '1 à 999 attendu.',
            },
          });
        }
        const db = await ctx.database();
        const identity = await openIdentity(db, ctx.config.dataDir, ctx.io.env);
        const der = await identity.ca.issueRevocationList({ validityDays: Number(options.days) });
        // The CA counts the list it just issued.
        const crlNumber = identity.ca.crlNumber;
        await audited(db, ctx.operator, 'pki.crl', async (trx) => {
          await trx
            .insertInto('xm_system.settings')
            .values({ key: 'crl-number', value: JSON.stringify(crlNumber.toString()) })
            .onConflict((oc) =>
              oc
                .column('key')
                .doUpdateSet({ value: JSON.stringify(crlNumber.toString()), updated_at: nowForUpdate() }),
            )
            .execute();
          return {
            result: undefined,
            target: `crl-${crlNumber}`,
            details: { revoked: identity.ca.revocations.length },
          };
        });
        await emit(ctx, revocationListToPem(der), options.out, {
          summary: `CRL ${crlNumber} with ${identity.ca.revocations.length} revocation(s)`,
          crlNumber: crlNumber.toString(),
          revoked: identity.ca.revocations.length,
        });
      }),
    );

  const signatory = program
    .command('signatory')
    .description('the register of signatories whose signatures on documents are recognised');
  signatory
    .command('add')
    .description('register a signatory')
    .requiredOption('--name <text>', 'full name')
    .requiredOption('--role <text>', 'e.g. officer, clerk')
    .option('--client <matricule>', 'the site the signatory works at')
    .option('--cert <file>', "the signatory's certificate (must chain to a trusted CA)")
    .option(
      '--csr <file>',
      "or a certificate request (a site's document key: `ecr document-key create`): the national CA issues the certificate",
    )
    .option('--out <file>', 'with --csr: write the issued certificate here instead of printing it')
    .requires(access.supervisor)
    .action(
      handler(
        io,
        async (
          ctx,
          options: { name: string; role: string; client?: string; cert?: string; csr?: string; out?: string },
        ) => {
          const db = await ctx.database();
          const site = options.client ? await getClient(db, parseMatricule(options.client)) : undefined;
          if (options.cert && options.csr) {
            throw new XmServerError('invalid-argument', 'both --cert and --csr', {
              params: {
                name: '--csr',
                value: options.csr,
                hint: 'Give --cert or --csr, not both.',
                hintFr: 'Donnez --cert ou --csr, pas les deux.',
              },
            });
          }
          const issued = options.csr
            ? await issueSignatoryCertificate(ctx, db, options.csr, options.name, site)
            : undefined;
          const file = issued
            ? certificateFromDer(issued.der, 'signatory certificate')
            : options.cert
              ? await readCertificateFile(options.cert, 'signatory certificate')
              : undefined;
          if (file) {
            const report = (await trustStoreOf(ctx)).validateCertificate(file.der);
            if (!report.ok) throw fromPki(report.error, 'signatory certificate');
          }
          const created = await audited(db, ctx.operator, 'signatory.add', async (trx) => {
            const certificate = file
              ? await recordCertificate(trx, {
                  der: file.der,
                  info: file.info,
                  purpose: 'signatory',
                  clientId: site?.id ?? null,
                })
              : undefined;
            const row = await trx
              .insertInto('xm_system.signatories')
              .values({
                full_name: options.name,
                role: options.role,
                client_id: site?.id ?? null,
                certificate_id: certificate?.id ?? null,
              })
              .returning(['id', 'full_name', 'role', 'active'])
              .executeTakeFirstOrThrow();
            return {
              result: row,
              target: `signatory-${row.id}`,
              details: { name: options.name, role: options.role },
            };
          });
          if (issued) {
            await emit(ctx, issued.pem, options.out, {
              summary: `Signatory ${created.id} registered: ${created.full_name} (${created.role}); certificate ${issued.serialNumber}`,
              ...created,
              serialNumber: issued.serialNumber,
            });
            return;
          }
          ctx.print(
            created,
            () => `Signatory ${created.id} registered: ${created.full_name} (${created.role}).`,
          );
        },
      ),
    );
  signatory
    .command('list')
    .description('list signatories')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx) => {
        const rows = await (await ctx.database())
          .selectFrom('xm_system.signatories as s')
          .leftJoin('xm_system.clients as c', 'c.id', 's.client_id')
          .leftJoin('xm_system.certificates as k', 'k.id', 's.certificate_id')
          .select(['s.id', 's.full_name', 's.role', 's.active', 'c.matricule', 'k.serial_number'])
          .orderBy('s.id')
          .execute();
        ctx.print(rows, () =>
          formatTable(
            ['id', 'name', 'role', 'active', 'site', 'certificate'],
            rows.map((r) => [r.id, r.full_name, r.role, r.active, r.matricule, r.serial_number]),
          ),
        );
      }),
    );
  signatory
    .command('revoke')
    .description('withdraw a signatory; its certificate, if any, is revoked too')
    .argument('<id>')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, rawId: string) => {
        if (!/^\d{1,9}$/.test(rawId)) {
          throw new XmServerError('invalid-argument', 'id', {
            params: { name: 'id', value: rawId, hint: 'Expected a number.', hintFr: 'Nombre attendu.' },
          });
        }
        const db = await ctx.database();
        const row = await audited(db, ctx.operator, 'signatory.revoke', async (trx) => {
          const updated = await trx
            .updateTable('xm_system.signatories')
            .set({ active: false, revoked_at: nowForUpdate() })
            .where('id', '=', Number(rawId))
            .returning(['id', 'full_name', 'certificate_id'])
            .executeTakeFirst();
          if (!updated)
            throw new XmServerError('unknown-certificate', 'unknown signatory', {
              params: { serial: `signatory ${rawId}` },
            });
          if (updated.certificate_id !== null) {
            await trx
              .updateTable('xm_system.certificates')
              .set({ revoked_at: nowForUpdate(), revocation_reason: 'cessationOfOperation' })
              .where('id', '=', updated.certificate_id)
              .where('revoked_at', 'is', null)
              .execute();
          }
          return { result: updated, target: `signatory-${updated.id}`, details: { name: updated.full_name } };
        });
        ctx.print(row, () => `Signatory ${row.id} (${row.full_name}) withdrawn.`);
      }),
    );
}

/**
 * A signatory's certificate from its PKCS#10 request, issued by the national CA (profile
 * `signatory`: it seals documents, never a container). A key already certified for another site is
 * refused, as at `client enrol`.
 */
async function issueSignatoryCertificate(
  ctx: Context,
  db: Awaited<ReturnType<Context['database']>>,
  csrFile: string,
  name: string,
  site: { readonly id: number; readonly matricule: string } | undefined,
) {
  const csrBytes = await readFile(csrFile).catch((cause: unknown) => {
    throw new XmServerError('invalid-argument', 'csr unreadable', {
      cause,
      params: {
        name: '--csr',
        value: csrFile,
        hint: 'The file cannot be read.',
        hintFr: 'Le fichier est illisible.',
      },
    });
  });
  const csr = csrBytes.includes('-----BEGIN') ? csrBytes.toString('utf8') : new Uint8Array(csrBytes);
  const request = inspectCertificateRequest(csr);
  if (!request.ok) throw fromPki(request.error, 'certificate request');
  if (site) await refuseKeyOfAnother(db, [request.value.subjectKeyIdentifier], site);
  const identity = await openIdentity(db, ctx.config.dataDir, ctx.io.env);
  return identity.ca
    .issueCertificate({ csr, profile: 'signatory', subject: { commonName: name } })
    .catch((error: unknown) => {
      throw fromPki(error, 'certificate request');
    });
}
