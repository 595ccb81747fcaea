/**
 * Several reply containers kept in one bytes column: each as a 4-byte big-endian length, then its
 * bytes. Only ever read back from our own log, but checked anyway.
 */
export function frameReplies(replies: readonly Uint8Array[]): Uint8Array {
  const total = replies.reduce((sum, reply) => sum + 4 + reply.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const reply of replies) {
    view.setUint32(at, reply.length);
    out.set(reply, at + 4);
    at += 4 + reply.length;
  }
  return out;
}

export function unframeReplies(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const replies: Uint8Array[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const length = view.getUint32(at);
    if (at + 4 + length > bytes.length) break;
    replies.push(bytes.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return replies;
}
