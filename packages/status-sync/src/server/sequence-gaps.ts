import type { ServerContext } from './context.js';
import type { SequenceGap } from './types.js';

/** Missing sequence numbers of a sender, from the log of received containers (for the monitor). */
export async function sequenceGaps(ctx: ServerContext, matricule: string): Promise<readonly SequenceGap[]> {
  const seen = await ctx.db
    .selectFrom('xm_system.received_containers')
    .select('sequence')
    .where('sender_matricule', '=', matricule)
    .where('sequence', 'is not', null)
    .orderBy('sequence')
    .execute();
  const gaps: SequenceGap[] = [];
  let expected = 1;
  for (const { sequence } of seen) {
    if (sequence === null) continue;
    if (sequence > expected) gaps.push({ from: expected, to: sequence - 1 });
    expected = Math.max(expected, sequence + 1);
  }
  return gaps;
}
