// The same shapes as @xmcomm/mqtt-transport's interfaces (declared again, structurally, so this
// package needs no MQTT): status-sync's outboxSource() and xmserver's handler fit both.

/** One container waiting in a site's outbox. The transport never looks inside `payload`. */
export interface OutboxItem {
  id: string;
  payload: Uint8Array;
}

/** The site's durable queue: an item stays until the server's receipt arrives, which the transport never sees. */
export interface OutboxSource {
  nextBatch(limit: number, exclude: ReadonlySet<string>): Promise<readonly OutboxItem[]>;
  /** The next hop (the SMTP relay, the folder) took the item; it is not done until its receipt arrives. */
  markSent(id: string): Promise<void>;
}

/** Where a site writes what the server sent it; the message is removed only after `store` resolves. */
export interface InboxSink {
  store(topic: string, payload: Uint8Array): Promise<void>;
}

/** The server's side: one call per container received, removed from the mailbox after it resolves. */
export interface ContainerHandler {
  onContainer(matricule: string, payload: Uint8Array): Promise<void>;
}
