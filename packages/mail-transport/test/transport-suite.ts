import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxSource } from '../../status-sync/src/index.js';
import {
  createWorld,
  serverBirthsFrom,
  serverFor,
  siteFor,
  statusesAtSite,
  validatedBirths,
  type World,
} from '../../status-sync/test/helpers/setup.js';
import {
  CarrierServerTransport,
  CarrierSiteTransport,
  type MailTransportError,
  sha256Hex,
} from '../src/index.js';
import { type Carrier, rawMail, SERVER, SITE } from './carriers.js';

export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The shared suite: status-sync over a carrier, end to end (the site's outbox, the server's apply
 * and its receipt), against every carrier: the real mail rig by IMAP and by POP3, the in-process
 * pair, the transfer folder. The database is PGlite, or PostgreSQL with DATABASE_URL.
 */
export function carrierSuite(name: string, makeCarrier: () => Promise<Carrier>, enabled = true): void {
  describe.skipIf(!enabled)(`status-sync over ${name}`, () => {
    let carrier: Carrier;
    let world: World;
    let site: CarrierSiteTransport;
    let server: CarrierServerTransport;
    const outcomes: string[] = [];
    const byHash: [string, string][] = [];
    const problems: MailTransportError[] = [];
    let sync: ReturnType<typeof siteFor>;

    beforeAll(async () => {
      carrier = await makeCarrier();
      world = await createWorld();
      // A container sent waits 20 s for its receipt before it is due again (the default backoff's
      // first step is longer still), so each test sees the resends it causes, not a flood.
      sync = siteFor(world, { retry: { initialMs: 20_000, jitter: 0 } });
      const serverSync = serverFor(world);
      const serverSide = carrier.server();
      server = new CarrierServerTransport({
        server: SERVER,
        ...serverSide,
        handler: {
          onContainer: async (matricule, payload) => {
            const outcome = await serverSync.applyContainer(payload);
            outcomes.push(outcome.status);
            byHash.push([sha256Hex(payload), outcome.status]);
            if (outcome.sender === matricule)
              for (const reply of outcome.replies) await server.send(matricule, reply);
          },
        },
      });
      server.on('error', (error) => problems.push(error));
      const siteSide = carrier.site();
      site = new CarrierSiteTransport({
        server: SERVER,
        matricule: SITE,
        ...siteSide,
        outbox: outboxSource(sync),
        inbox: { store: async (_topic, payload) => void (await sync.receive(payload)) },
        pollIntervalMs: 300,
      });
      site.on('error', (error) => problems.push(error));
      await server.start();
      site.start();
    }, 120_000);

    afterAll(async () => {
      await site?.stop();
      await server?.stop();
      await world?.close();
      await carrier?.close();
    });

    const codes = () => problems.map((p) => p.code);

    it('carries a site container to the server and its receipt back', async () => {
      const numeros = await validatedBirths(world.site.db, 3);
      await sync.exportRows();
      site.wake();
      await until(async () => (await statusesAtSite(world.site.db, numeros)).every((s) => s === 4));
      expect(outcomes.filter((o) => o === 'applied').length).toBeGreaterThanOrEqual(1);
      // Removed after the apply committed (the receipt may reach the site just before).
      await until(async () => (await carrier.serverWaiting()) === 0);
    }, 60_000);

    it('applies a container delivered twice once', async () => {
      const numeros = await validatedBirths(world.site.db, 1, 'D');
      await sync.exportRows();
      const [item] = await sync.nextItems(1);
      expect(item).toBeDefined();
      const hash = sha256Hex(item!.payload);
      const envelope = { sender: SITE, recipient: SERVER, payload: item!.payload };
      const raw = carrier.mail ? await rawMail(envelope, 'site@xm.test', 'server@xm.test') : item!.payload;
      // The same container twice more, besides the site's own send: one apply, the others duplicates.
      await carrier.injectToServer(raw, `${hash}.sdc`);
      server.wake();
      // Handled and removed (a folder's copy has the site's own file name: it must be gone first).
      await until(async () => byHash.some(([h]) => h === hash) && (await carrier.serverWaiting()) === 0);
      await carrier.injectToServer(raw, `${hash}.sdc`);
      server.wake();
      await until(() => byHash.filter(([h]) => h === hash).length >= 2);
      const statuses = byHash.filter(([h]) => h === hash).map(([, status]) => status);
      expect(statuses.filter((status) => status === 'applied')).toHaveLength(1);
      expect(statuses.filter((status) => status !== 'applied' && status !== 'duplicate')).toEqual([]);
      site.wakeReceiver();
      await until(async () => (await statusesAtSite(world.site.db, numeros)).every((s) => s === 4));
      const rows = await serverBirthsFrom(world.server.db, SITE);
      expect(rows.filter((row) => numeros.includes(row.origin_numero as number))).toHaveLength(1);
    }, 60_000);

    it('refuses a tampered attachment with its reason and sets it aside', async () => {
      const payload = new TextEncoder().encode('{"an":"sdc"}');
      let raw: Uint8Array;
      let name: string | undefined;
      if (carrier.mail) {
        const text = Buffer.from(
          await rawMail({ sender: SITE, recipient: SERVER, payload }, 'a@xm.test', 'b@xm.test'),
        ).toString('latin1');
        // One base64 character of the attachment changed on the way.
        const base64 = Buffer.from(payload).toString('base64');
        raw = new Uint8Array(Buffer.from(text.replace(base64, `A${base64.slice(1)}`), 'latin1'));
      } else {
        raw = payload;
        name = `${'0'.repeat(64)}.sdc`;
      }
      const before = problems.length;
      const refusedBefore = await carrier.serverRefused();
      await carrier.injectToServer(raw, name);
      server.wake();
      await until(() => problems.slice(before).some((p) => p.code === 'DAMAGED_ATTACHMENT'));
      expect(problems.slice(before).find((p) => p.code === 'DAMAGED_ATTACHMENT')?.message).toMatch(
        /hash-mismatch/,
      );
      // IMAP and the folder move it aside; POP3 has no folders and leaves it, read no more.
      expect(await carrier.serverRefused()).toBe(refusedBefore + 1);
    }, 60_000);

    it('leaves a foreign mail alone', async () => {
      if (!carrier.mail) return;
      const before = problems.length;
      await carrier.injectToServer(
        new TextEncoder().encode(
          'From: someone@example.org\r\nTo: server@xm.test\r\nSubject: hello\r\nMessage-ID: <x@example.org>\r\n\r\nNot a container.\r\n',
        ),
      );
      server.wake();
      await until(() => problems.slice(before).some((p) => p.code === 'FOREIGN_MAIL'));
      expect(await carrier.serverHolds('Not a container')).toBe(true);
      // Not read again at the next cycle.
      server.wake();
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(problems.slice(before).filter((p) => p.code === 'FOREIGN_MAIL')).toHaveLength(1);
    }, 60_000);

    it('loses nothing while the mail system is down, and delivers all after', async () => {
      await carrier.down();
      const numeros = await validatedBirths(world.site.db, 4, 'S');
      await sync.exportRows(undefined, { maxRows: 1 });
      site.wake();
      if (carrier.mail)
        await until(() => codes().some((c) => c === 'SMTP_UNREACHABLE' || c === 'SMTP_REJECTED'));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // The folder has no server to stop: there the containers simply go through.
      if (carrier.mail) expect(await statusesAtSite(world.site.db, numeros)).toEqual([3, 3, 3, 3]);
      await carrier.up();
      site.wake();
      await until(async () => (await statusesAtSite(world.site.db, numeros)).every((s) => s === 4), 60_000);
    }, 120_000);

    it('reads everything again when the mailbox UIDVALIDITY changes', async () => {
      if (!carrier.uidValidity) return;
      const before = problems.length;
      await carrier.recreateServerMailbox();
      const numeros = await validatedBirths(world.site.db, 1, 'U');
      await sync.exportRows();
      site.wake();
      server.wake();
      await until(async () => (await statusesAtSite(world.site.db, numeros)).every((s) => s === 4), 60_000);
      await until(() => problems.slice(before).some((p) => p.code === 'UIDVALIDITY_CHANGED'), 20_000);
      // The foreign mail left earlier is read once more under the new UIDVALIDITY, and left again.
    }, 90_000);
  });
}
