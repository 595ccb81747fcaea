import type { OpenedContainer } from '../container.js';
import { frameReplies, unframeReplies } from '../framing.js';
import type { ApplyResult, SealedReply } from './answers.js';
import type { ServerContext } from './context.js';
import type { ApplyOutcome } from './types.js';

/** What `xm_system.received_containers` keeps of a container to answer it again. */
export interface Logged {
  readonly receipt: Uint8Array | null;
  readonly signed_replies: Uint8Array | null;
  readonly rows_accepted: number;
  readonly rows_rejected: number;
  readonly sender_matricule: string | null;
  readonly kind: string;
  readonly table_name: string | null;
}

export async function findLogged(ctx: ServerContext, containerId: string): Promise<Logged | undefined> {
  return ctx.db
    .selectFrom('xm_system.received_containers')
    .select([
      'receipt',
      'signed_replies',
      'rows_accepted',
      'rows_rejected',
      'sender_matricule',
      'kind',
      'table_name',
    ])
    .where('container_id', '=', containerId)
    .executeTakeFirst();
}

/**
 * A container seen before: the same answer, encrypted again for the sender's certificate of now
 * (the site may have been re-enrolled since, after a wrong or revoked certificate).
 */
export async function duplicateOutcome(
  ctx: ServerContext,
  containerId: string,
  logged: Logged,
): Promise<ApplyOutcome> {
  const { codec } = ctx;
  let replies: Uint8Array[] = [];
  // A restricted table's rows go once, to the declaration that asked for them: a replayed import
  // request (a court since suspended, or its service withdrawn) gets nothing again; the court
  // declares again and asks anew, through the gate.
  const restrictedImport = logged.kind === 'import-request' && logged.table_name !== null;
  if (restrictedImport && ctx.restrictedTables[logged.table_name as string]) {
    return {
      status: 'duplicate',
      containerId,
      sender: logged.sender_matricule,
      replies,
      accepted: logged.rows_accepted,
      rejected: logged.rows_rejected,
      reason: 'restricted rows are answered once',
    };
  }
  if (logged.signed_replies && codec.reseal && logged.sender_matricule !== null) {
    const to = logged.sender_matricule;
    const reseal = codec.reseal.bind(codec);
    replies = await Promise.all(
      unframeReplies(new Uint8Array(logged.signed_replies)).map((signed) => reseal(to, signed)),
    );
  } else if (logged.receipt) replies = unframeReplies(new Uint8Array(logged.receipt));
  return {
    status: 'duplicate',
    containerId,
    sender: logged.sender_matricule,
    replies,
    accepted: logged.rows_accepted,
    rejected: logged.rows_rejected,
    reason: null,
  };
}

/** The log line of an applied container, with its replies. */
export function logValues(
  container: OpenedContainer,
  size: number,
  result: ApplyResult,
  replies: readonly SealedReply[],
) {
  const { header, body } = container;
  return {
    container_id: header.containerId,
    sender_matricule: header.sender,
    sequence: header.sequence,
    kind: body.kind,
    // An import request names its table in its filter (the header's may be absent): kept, so that a
    // replay of a restricted one is known as such (duplicateOutcome).
    table_name: header.table ?? (body.kind === 'import-request' ? body.filter.table : undefined),
    rows_total: body.kind === 'rows' ? body.rows.length : 0,
    rows_accepted: result.accepted,
    rows_rejected: result.rejected,
    size_bytes: size,
    created_at: header.createdAt,
    // The signed replies when the codec can encrypt them again (a duplicate is then answered for the
    // site's certificate of that day), else the sealed ones.
    ...(replies.every((reply) => reply.signed)
      ? { receipt: null, signed_replies: frameReplies(replies.map((reply) => reply.signed as Uint8Array)) }
      : { receipt: frameReplies(replies.map((reply) => reply.bytes)), signed_replies: null }),
  };
}
