import type { ContainerBody, RowResult } from '../container.js';
import { wholeContainer } from '../container.js';
import type { ServerContext } from './context.js';

/** A reply to seal for the sender: a receipt, an import page or a control message. */
export interface Answer {
  readonly body: ContainerBody;
  readonly table?: string | null;
}

/** What applying a container decided, before its replies are sealed and logged. */
export interface ApplyResult {
  readonly answers: Answer[];
  readonly accepted: number;
  readonly rejected: number;
  readonly reason: string | null;
}

/** A reply as sealed, and signed before encryption when the codec can encrypt it again later. */
export interface SealedReply {
  readonly bytes: Uint8Array;
  readonly signed?: Uint8Array;
}

export function receiptFor(containerId: string, results: readonly RowResult[]): Answer {
  return { body: { kind: 'receipt', receipt: { acknowledges: containerId, results } } };
}

export function rejectAll(containerId: string, reason: string): Answer {
  return receiptFor(containerId, [{ numero: wholeContainer, accepted: false, reason }]);
}

/** The container refused as a whole, `rejected` counting what it carried (one request, or its rows). */
export function wholeRefusal(containerId: string, reason: string, rejected = 1): ApplyResult {
  return { answers: [rejectAll(containerId, reason)], accepted: 0, rejected, reason };
}

export async function seal(ctx: ServerContext, to: string, answer: Answer): Promise<SealedReply> {
  const { bytes, signed } = await ctx.codec.seal({
    sender: ctx.serverMatricule,
    recipient: to,
    sequence: ctx.now().getTime(),
    table: answer.table ?? null,
    body: answer.body,
  });
  return signed ? { bytes, signed } : { bytes };
}

/** The result's replies, sealed one after the other in their order. */
export async function sealAnswers(
  ctx: ServerContext,
  to: string,
  result: ApplyResult,
): Promise<SealedReply[]> {
  const sealed: SealedReply[] = [];
  for (const answer of result.answers) sealed.push(await seal(ctx, to, answer));
  return sealed;
}

/** Whether two results answer with the same receipts, row by row (then the same sealed replies do). */
export function sameAnswers(a: ApplyResult, b: ApplyResult): boolean {
  if (a === b) return true;
  if (a.answers.length !== b.answers.length) return false;
  return a.answers.every((answer, i) => {
    const x = answer.body;
    const y = (b.answers[i] as Answer).body;
    if (x.kind !== 'receipt' || y.kind !== 'receipt') return false;
    if (x.receipt.acknowledges !== y.receipt.acknowledges) return false;
    const rows = x.receipt.results;
    const others = y.receipt.results;
    return (
      rows.length === others.length &&
      rows.every((row, j) => {
        const other = others[j] as RowResult;
        return (
          row.numero === other.numero &&
          row.accepted === other.accepted &&
          (row.accepted || (!other.accepted && row.reason === other.reason))
        );
      })
    );
  });
}
