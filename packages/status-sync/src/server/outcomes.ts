import type { ContainerHeader, OpenedContainer } from '../container.js';
import { formatReason } from '../reasons.js';
import { type ApplyResult, rejectAll, type SealedReply, seal } from './answers.js';
import type { ServerContext } from './context.js';
import type { ApplyOutcome } from './types.js';

/** No usable container (unreadable, untrusted, foreign, unknown client): nothing to answer. */
export function refused(reason: string, opened?: Pick<OpenedContainer, 'header'>): ApplyOutcome {
  return {
    status: 'refused',
    containerId: opened?.header.containerId ?? null,
    sender: opened?.header.sender ?? null,
    replies: [],
    accepted: 0,
    rejected: 0,
    reason,
  };
}

/** A new container, applied and logged: its replies as sealed. */
export function appliedOutcome(
  header: ContainerHeader,
  result: ApplyResult,
  replies: readonly SealedReply[],
): ApplyOutcome {
  return {
    status: 'applied',
    containerId: header.containerId,
    sender: header.sender,
    replies: replies.map((reply) => reply.bytes),
    accepted: result.accepted,
    rejected: result.rejected,
    reason: result.reason,
  };
}

/** Too old, too far in the future, or a sequence number used before: rejected whole, not logged. */
export async function replayOutcome(
  ctx: ServerContext,
  container: OpenedContainer,
  detail: string,
): Promise<ApplyOutcome> {
  const { header } = container;
  const reply = await seal(ctx, header.sender, rejectAll(header.containerId, formatReason('replay', detail)));
  return {
    status: 'applied',
    containerId: header.containerId,
    sender: header.sender,
    replies: [reply.bytes],
    accepted: 0,
    rejected: 1,
    reason: 'replay',
  };
}
