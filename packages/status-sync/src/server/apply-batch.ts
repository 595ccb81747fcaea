import { wholeRefusal } from './answers.js';
import { applyOpened } from './apply-one.js';
import type { BatchEntry, Planned } from './batch-entry.js';
import { applyPlanned } from './batch-transaction.js';
import type { ServerContext } from './context.js';
import { openContainer } from './open-container.js';
import { refused, replayOutcome } from './outcomes.js';
import { duplicateOutcome } from './received-log.js';
import { planRows, type RowsPlan } from './rows-plan.js';
import type { ApplyOutcome } from './types.js';

function sequenceKey(sender: string | null, sequence: number | string | null): string {
  return `${sender}\u0000${sequence}`;
}

/**
 * Applies several containers: one outcome per container, in order, each the one applyContainer
 * would have given had they been applied one after the other.
 */
export async function applyBatch(ctx: ServerContext, list: readonly Uint8Array[]): Promise<ApplyOutcome[]> {
  const outcomes: ApplyOutcome[] = new Array(list.length);
  // Opened together: the codec checks their signatures on the thread pool meanwhile, and each
  // check that completes is a turn of the event loop, where the database's replies get through.
  const opened = await Promise.all(list.map((bytes) => openContainer(ctx, bytes)));
  const live: BatchEntry[] = [];
  for (const [index, one] of opened.entries()) {
    if ('outcome' in one) {
      outcomes[index] = one.outcome;
      continue;
    }
    await ctx.step('opened', one.container.header.containerId);
    live.push({ index, container: one.container, bodyError: one.bodyError, size: one.size });
  }
  const from = live.length > 0 ? await applyLive(ctx, live, outcomes) : null;
  if (from !== null) {
    // What is left of the batch could not be applied as one (another process applied some of it
    // meanwhile, or something only the reference path can tell): none of it was committed; one by
    // one, in order.
    for (const entry of live.slice(from)) {
      outcomes[entry.index] = await applyOpened(ctx, entry.container, entry.bodyError, entry.size);
    }
  }
  return outcomes;
}

/**
 * Applies the verified containers of a batch. Null when done; otherwise the position in `live`
 * from which the rest must go one by one (nothing from there on was committed).
 */
async function applyLive(
  ctx: ServerContext,
  live: readonly BatchEntry[],
  outcomes: ApplyOutcome[],
): Promise<number | null> {
  const { db } = ctx;
  const ids = [...new Set(live.map((e) => e.container.header.containerId))];
  const senders = [...new Set(live.map((e) => e.container.header.sender))];
  const [seen, clients] = await Promise.all([
    db
      .selectFrom('xm_system.received_containers')
      .select([
        'container_id',
        'sender_matricule',
        'sequence',
        'receipt',
        'signed_replies',
        'rows_accepted',
        'rows_rejected',
        'kind',
        'table_name',
      ])
      .where((eb) =>
        eb.or([
          eb('container_id', 'in', ids),
          eb(
            eb.refTuple('sender_matricule', 'sequence'),
            'in',
            live.map((e) => eb.tuple(e.container.header.sender, e.container.header.sequence)),
          ),
        ]),
      )
      .execute(),
    db
      .selectFrom('xm_system.clients')
      .select([
        'id',
        'matricule',
        'centre_code',
        'status',
        'name',
        'domain',
        'region',
        'locality',
        'services',
      ])
      .where('matricule', 'in', senders)
      .execute(),
  ]);
  const loggedById = new Map(seen.map((r) => [r.container_id, r]));
  const usedSequences = new Set(seen.map((r) => sequenceKey(r.sender_matricule, r.sequence)));
  const clientsByMatricule = new Map(clients.map((c) => [c.matricule, c]));

  // Walk the batch in order, as one-by-one would see it: what an earlier container of the batch
  // logs (its id, its sequence number) counts for the later ones.
  const logging = new Map<string, Planned>();
  const claimed = new Set<string>();
  let batch: Planned[] = [];
  let duplicates: { entry: BatchEntry; of: Planned }[] = [];
  let replays: { entry: BatchEntry; detail: string }[] = [];
  let segment = 0;
  // Applies what was gathered so far; false if it must go one by one.
  const flush = async (): Promise<boolean> => {
    if (batch.length > 0) {
      const applied = await applyPlanned(ctx, batch);
      if (!applied) return false;
      for (const [planned, outcome] of applied) outcomes[planned.index] = outcome;
    }
    for (const { entry, of } of duplicates) {
      const first = outcomes[of.index] as ApplyOutcome;
      outcomes[entry.index] = { ...first, status: 'duplicate', reason: null };
    }
    await Promise.all(
      replays.map(async ({ entry, detail }) => {
        outcomes[entry.index] = await replayOutcome(ctx, entry.container, detail);
      }),
    );
    batch = [];
    duplicates = [];
    replays = [];
    return true;
  };
  // Import requests and control messages go through applyOpened, in their place: the batch so far
  // is applied first. Whatever shares an id or a sequence number with one of them goes that way too.
  const singleKeys = new Set<string>();
  for (const [position, entry] of live.entries()) {
    await ctx.turns.shareTime();
    const { header, body } = entry.container;
    const id = header.containerId;
    const sequence = sequenceKey(header.sender, header.sequence);
    const logged = loggedById.get(id);
    if (logged && !singleKeys.has(id)) {
      outcomes[entry.index] = await duplicateOutcome(ctx, id, logged);
      continue;
    }
    const alone =
      singleKeys.has(id) ||
      singleKeys.has(sequence) ||
      (!entry.bodyError && (body.kind === 'import-request' || body.kind === 'control'));
    if (alone && !logging.has(id)) {
      if (!(await flush())) return segment;
      segment = position;
      outcomes[entry.index] = await applyOpened(ctx, entry.container, entry.bodyError, entry.size);
      segment = position + 1;
      singleKeys.add(id);
      singleKeys.add(sequence);
      continue;
    }
    const first = logging.get(id);
    if (first) {
      duplicates.push({ entry, of: first });
      continue;
    }
    const client = clientsByMatricule.get(header.sender);
    if (!client) {
      outcomes[entry.index] = refused('unknown-client', entry.container);
      continue;
    }
    const age = ctx.now().getTime() - header.createdAt.getTime();
    if (age > ctx.maxAgeMs || age < -ctx.maxSkewMs) {
      replays.push({ entry, detail: 'created-at' });
      continue;
    }
    if (usedSequences.has(sequence) || claimed.has(sequence)) {
      replays.push({ entry, detail: `sequence ${header.sequence} already used` });
      continue;
    }
    const whole = (reason: string): RowsPlan => ({ kind: 'whole', result: wholeRefusal(id, reason) });
    const plan = entry.bodyError
      ? whole(entry.bodyError)
      : body.kind === 'rows'
        ? planRows(ctx, entry.container, client, body.rows)
        : whole('unsupported-kind');
    const planned: Planned = { ...entry, client, plan };
    logging.set(id, planned);
    claimed.add(sequence);
    batch.push(planned);
  }
  return (await flush()) ? null : segment;
}
