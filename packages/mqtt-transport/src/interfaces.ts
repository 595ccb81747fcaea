/** One container waiting in a site's outbox. The transport never looks inside `payload`. */
export interface OutboxItem {
  id: string;
  payload: Uint8Array;
}

/**
 * The site's durable queue (the outbox table of status-sync). An item stays in the outbox
 * until the server's receipt arrives, which the transport never sees: the transport only
 * says when the broker has taken an item (`markSent`), and the owner decides when an item
 * that got no receipt is due again.
 */
export interface OutboxSource {
  /** Up to `limit` items due for sending, none of those named in `exclude` (already in flight). */
  nextBatch(limit: number, exclude: ReadonlySet<string>): Promise<readonly OutboxItem[]>;
  /** The broker acknowledged the item (PUBACK); it is not done until its receipt arrives. */
  markSent(id: string): Promise<void>;
}

/** Where a site writes what the server sent it. The broker gets its PUBACK only after `store` resolves. */
export interface InboxSink {
  store(topic: string, payload: Uint8Array): Promise<void>;
}

/** The server's side: one call per container received, acknowledged to the broker after it resolves. */
export interface ContainerHandler {
  onContainer(matricule: string, payload: Uint8Array): Promise<void>;
}
