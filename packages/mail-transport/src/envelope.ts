/** One container on its way between two parties (a site's matricule, the server's name). */
export interface Envelope {
  sender: string;
  recipient: string;
  payload: Uint8Array;
}

/**
 * Matricules and server names go into headers, Message-IDs and folder names: 1-32 letters, digits,
 * dots, dashes or underscores, not starting with a dot (the rule of xmserver and t2d-usb).
 */
const PARTY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,31}$/;

export function isValidParty(name: string): boolean {
  return PARTY.test(name);
}

/** Largest container carried (sdc-codec's `maxContainerBytes`). */
export const DEFAULT_MAX_CONTAINER_BYTES = 8 * 1024 * 1024;

/** A carrier's sending half: resolves when the next hop took the container. */
export interface ContainerSender {
  send(envelope: Envelope): Promise<void>;
  close(): Promise<void>;
}

/** What a receiver tells its owner, besides containers. */
export interface ReceiverReport {
  /** A failure or a set-aside message, with a stable code; the receiver goes on. */
  problem(error: import('./errors.js').MailTransportError): void;
}

/**
 * A carrier's receiving half. `deliver` must resolve only once what the container carried is
 * committed: the receiver removes the message (or file) after, never before.
 */
export interface ContainerReceiver {
  start(deliver: (envelope: Envelope) => Promise<void>, report: ReceiverReport): void;
  /** Look now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}
