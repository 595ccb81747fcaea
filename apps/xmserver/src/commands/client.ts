import { rm } from 'node:fs/promises';
import { checkClientLimit } from '@xmcomm/billing';
import { hashPassword } from '@xmcomm/pki';
import { type Command, Option } from 'commander';
import { audited } from '../audit.js';
import {
  addClient,
  type Client,
  type ClientCertificate,
  clientCertificates,
  clientServices,
  deleteUnusedClient,
  getClient,
  grantableServices,
  initialClientPassword,
  listClients,
  parseCentreCode,
  parseMatricule,
  parseStatus,
  setClientServices,
  updateClient,
} from '../clients.js';
import { access, handler, type XmCommand } from '../command.js';
import { formatTable, type Io } from '../context.js';
import { XmServerError } from '../errors.js';
import { type Language, text } from '../messages.js';
import { registerBilling } from './billing.js';
import { brokerPasswordFile, followBroker } from './broker-sync.js';
import { registerClientBill } from './client-billing.js';
import { registerClientMessages, tellAccount, toldLine } from './client-messages.js';
import { currentLicence } from './licence.js';

interface FieldOptions {
  name?: string;
  centreCode?: string;
  domain?: string;
  region?: string;
  locality?: string;
  contact?: string;
}

function fields(options: FieldOptions) {
  for (const [key, max] of [
    ['name', 150],
    ['domain', 40],
    ['region', 100],
    ['locality', 100],
    ['contact', 200],
  ] as const) {
    const value = options[key];
    if (value !== undefined && (value.trim() === '' || value.length > max)) {
      throw new XmServerError('invalid-argument', `invalid ${key}`, {
        params: {
          name: `--${key}`,
          value: JSON.stringify(value),
          hint: `Expected 1-${max} characters.`,
          hintFr: `1 à ${max} caractères attendus.`,
        },
      });
    }
  }
  return {
    name: options.name,
    centreCode: options.centreCode === undefined ? undefined : parseCentreCode(options.centreCode),
    domain: options.domain,
    region: options.region,
    locality: options.locality,
    contact: options.contact,
  };
}

function describeClient(client: Client): string {
  return formatTable(
    [
      'matricule',
      'centre code',
      'name',
      'status',
      'account',
      'domain',
      'region',
      'locality',
      'contact',
      'must change password',
    ],
    [
      [
        client.matricule,
        client.centreCode,
        client.name,
        client.status,
        client.accountId,
        client.domain,
        client.region,
        client.locality,
        client.contact,
        client.mustChangePassword,
      ],
    ],
  );
}

const day = (date: Date) => date.toISOString().slice(0, 10);

function describeCertificates(certificates: readonly ClientCertificate[], lang: Language): string {
  if (certificates.length === 0) return text('client.no-certificates', lang);
  return [
    text('client.certificates', lang),
    formatTable(
      ['serial', 'purpose', 'not before', 'not after', 'revoked', 'reason'],
      certificates.map((c) => [
        c.serialNumber,
        c.purpose,
        day(c.notBefore),
        day(c.notAfter),
        c.revokedAt ? c.revokedAt.toISOString() : '',
        c.revocationReason,
      ]),
    ),
  ].join('\n');
}

const withFieldOptions = (command: Command) =>
  command
    .option(
      '--centre-code <code>',
      "the code every NIU of the site begins with, then a dash (ECR: the centre's 6-digit national code)",
    )
    .option('--domain <text>', 'the service domain (e.g. civil-registration)')
    .option('--region <text>', 'region')
    .option('--locality <text>', 'town or locality')
    .option('--contact <text>', 'telephone or e-mail of the site');

export function registerClient(program: XmCommand, io: Io): XmCommand {
  const client = program
    .command('client')
    .description('client sites: registration, status, certificates, accounts');

  withFieldOptions(
    client
      .command('add')
      .description(
        'register a client: gives its matricule and centre code (the next free ones unless given) and opens its account; its password is "zerokey" until the site changes it',
      )
      .requiredOption('--name <text>', "the site's name")
      .option('--matricule <id>', 'matricule to use instead of the next assigned one')
      .option('--status <n>', 'status 0-3 (3: all services)', '3')
      .requires(access.operator),
  ).action(
    handler(io, async (ctx, options: FieldOptions & { name: string; matricule?: string; status: string }) => {
      const status = parseStatus(options.status);
      const matricule = options.matricule === undefined ? undefined : parseMatricule(options.matricule);
      const input = {
        ...fields(options),
        name: options.name,
        matricule,
        status,
        passwordHash: await hashPassword(initialClientPassword),
      };
      const db = await ctx.database();
      const created = await audited(db, ctx.operator, 'client.add', async (trx) => {
        const added = await addClient(trx, { ...input, licence: await currentLicence(trx) });
        return {
          result: added,
          target: added.matricule,
          details: { name: added.name, status, centreCode: added.centreCode },
        };
      });
      ctx.print(created, () =>
        text('client.added', ctx.lang, {
          name: created.name,
          matricule: created.matricule,
          centreCode: created.centreCode ?? '-',
          account: created.accountId ?? '-',
          status,
        }),
      );
      await followBroker(ctx, [created.matricule]);
    }),
  );

  client
    .command('list')
    .description('list clients')
    .option('--status <n>', 'only clients with this status')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx, options: { status?: string }) => {
        const status = options.status === undefined ? undefined : parseStatus(options.status);
        const clients = await listClients(await ctx.database(), { status });
        ctx.print(clients, () =>
          formatTable(
            ['matricule', 'centre code', 'name', 'status', 'account', 'region', 'locality'],
            clients.map((c) => [
              c.matricule,
              c.centreCode,
              c.name,
              c.status,
              c.accountId,
              c.region,
              c.locality,
            ]),
          ),
        );
      }),
    );

  client
    .command('show')
    .description('show one client and its certificates (in force, expired or revoked, with the reason)')
    .argument('<matricule>')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx, matricule: string) => {
        const db = await ctx.database();
        const found = await getClient(db, parseMatricule(matricule));
        const certificates = await clientCertificates(db, found.id);
        ctx.print({ ...found, certificates }, () =>
          [describeClient(found), '', describeCertificates(certificates, ctx.lang)].join('\n'),
        );
      }),
    );

  withFieldOptions(
    client
      .command('update')
      .description("change a client's details")
      .argument('<matricule>')
      .option('--name <text>', "the site's name")
      .requires(access.operator),
  ).action(
    handler(io, async (ctx, matricule: string, options: FieldOptions) => {
      const change = fields(options);
      if (Object.values(change).every((v) => v === undefined)) {
        throw new XmServerError('invalid-argument', 'nothing to update', {
          params: {
            name: 'options',
            value: 'none',
            hint: 'Give at least one of --name, --centre-code, --domain, --region, --locality, --contact.',
            hintFr:
              'Donnez au moins une option parmi --name, --centre-code, --domain, --region, --locality, --contact.',
          },
        });
      }
      const db = await ctx.database();
      const updated = await audited(db, ctx.operator, 'client.update', async (trx) => {
        const { after } = await updateClient(trx, parseMatricule(matricule), change);
        return {
          result: after,
          target: matricule,
          details: Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as Record<
            string,
            string
          >,
        };
      });
      ctx.print(updated, () => text('client.updated', ctx.lang, { matricule }));
    }),
  );

  client
    .command('set-status')
    .description(
      "set a client's status: 0 suspended, 1 account and profile queries, 2 all services but data, 3 all services",
    )
    .argument('<matricule>')
    .argument('<status>')
    .option('--reason <text>', 'why, for the audit log (at most 500 characters)')
    .requires(access.operator)
    .action(
      handler(io, async (ctx, matricule: string, raw: string, options: { reason?: string }) => {
        const status = parseStatus(raw);
        const reason = options.reason?.trim();
        if (reason !== undefined && reason.length > 500) {
          throw new XmServerError('invalid-argument', 'reason too long', {
            params: {
              name: '--reason',
              value: `${reason.slice(0, 20)}…`,
              hint: 'At most 500 characters.',
              hintFr: '500 caractères au plus.',
            },
          });
        }
        const db = await ctx.database();
        const updated = await audited(db, ctx.operator, 'client.set-status', async (trx) => {
          const { before, after } = await updateClient(trx, parseMatricule(matricule), { status });
          return {
            result: after,
            target: matricule,
            details: { from: before.status, to: status, reason: reason || null },
          };
        });
        await followBroker(ctx, [updated.matricule]);
        const told = await tellAccount(ctx, updated.matricule);
        ctx.print({ ...updated, ...told }, () =>
          [text('client.status', ctx.lang, { matricule, status }), toldLine(ctx, matricule, told)].join('\n'),
        );
      }),
    );
  client
    .command('services')
    .description(
      "the services granted to a client beyond its status (juris: the criminal record's tables, for a client at status 3)",
    )
    .argument('<matricule>')
    .addOption(new Option('--grant <service>', 'grant this service (juris)').choices(grantableServices))
    .addOption(new Option('--revoke <service>', 'take this service back').choices(grantableServices))
    .option('--reason <text>', 'why, for the audit log (at most 500 characters)')
    // Reading the criminal record is granted by a supervisor, as the PKI is.
    .requires(access.supervisor)
    .action(
      handler(
        io,
        async (ctx, matricule: string, options: { grant?: string; revoke?: string; reason?: string }) => {
          const db = await ctx.database();
          const target = parseMatricule(matricule);
          const change = options.grant ?? options.revoke;
          const services =
            change === undefined
              ? await clientServices(db, target)
              : await audited(db, ctx.operator, 'client.services', async (trx) => {
                  const before = await clientServices(trx, target);
                  const after = options.grant
                    ? [...new Set([...before, options.grant])]
                    : before.filter((service) => service !== options.revoke);
                  await setClientServices(trx, target, after);
                  return {
                    result: after,
                    target: matricule,
                    details: {
                      from: before.join(' '),
                      to: after.join(' '),
                      reason: options.reason?.slice(0, 500) ?? null,
                    },
                  };
                });
          ctx.print({ matricule: target, services }, () =>
            text('client.services', ctx.lang, { matricule: target, services: services.join(' ') }),
          );
        },
      ),
    );
  client
    .command('delete')
    .description(
      'delete a client registered by mistake and never used (no certificate, container, account movement or data), with its account; its place in the edition is free again. A used client is refused: suspend it with set-status <matricule> 0',
    )
    .argument('<matricule>')
    .requires(access.operator)
    .action(
      handler(io, async (ctx, raw: string) => {
        const matricule = parseMatricule(raw);
        const db = await ctx.database();
        const deleted = await audited(db, ctx.operator, 'client.delete', async (trx) => {
          const gone = await deleteUnusedClient(trx, matricule);
          const edition = await checkClientLimit(trx, await currentLicence(trx), { adding: 0 });
          return {
            result: { client: gone, clients: edition.count, limit: edition.limit },
            target: matricule,
            details: { name: gone.name, centreCode: gone.centreCode, account: gone.accountId },
          };
        });
        ctx.print(
          { matricule, name: deleted.client.name, clients: deleted.clients, limit: deleted.limit },
          () =>
            text('client.deleted', ctx.lang, {
              matricule,
              name: deleted.client.name,
              used: deleted.clients,
              limit: deleted.limit ?? '-',
            }),
        );
        // The broker's site account and its password file, if any, go too.
        await rm(brokerPasswordFile(ctx, matricule), { force: true });
        await followBroker(ctx, [matricule]);
      }),
    );

  registerBilling(client, io);
  registerClientBill(client, io);
  registerClientMessages(client, io);
  return client;
}
