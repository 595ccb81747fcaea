import type { ImportFilter } from './filter.js';

/**
 * What status-sync needs from a container codec. `@xmcomm/sdc-codec` provides the real one (CMS signed
 * and encrypted); the seam keeps the lifecycle logic testable on its own and lets an integrator bring
 * another codec.
 */

/** One row: fields by name; `numero` is the sender's local number. */
export type SyncRow = Readonly<Record<string, unknown>>;

export type RowResult =
  | { readonly numero: number; readonly accepted: true }
  | { readonly numero: number; readonly accepted: false; readonly reason: string };

/** Numero 0 in a receipt speaks for the whole container (local numbers start at 1). */
export const wholeContainer = 0;

export interface Receipt {
  /** The id of the container this receipt answers. */
  readonly acknowledges: string;
  readonly results: readonly RowResult[];
}

export type ContainerBody =
  | { readonly kind: 'rows'; readonly rows: readonly SyncRow[] }
  | { readonly kind: 'import-request'; readonly filter: ImportFilter }
  | {
      readonly kind: 'import-response';
      readonly rows: readonly SyncRow[];
      /** The id of the import request answered, when the codec carries it (sdc-codec v1 does not). */
      readonly request: string | null;
      /** Where the next page starts, or null on the last page. */
      readonly cursor: string | null;
    }
  | { readonly kind: 'receipt'; readonly receipt: Receipt }
  | { readonly kind: 'control'; readonly message: Readonly<Record<string, unknown>> };

export type ContainerKind = ContainerBody['kind'];

export interface ContainerHeader {
  readonly containerId: string;
  /** The sender's matricule. */
  readonly sender: string;
  /** The recipient's matricule (null: the server). */
  readonly recipient: string | null;
  readonly createdAt: Date;
  /** Per-sender sequence number. */
  readonly sequence: number;
  /** For rows and import responses. */
  readonly table: string | null;
  /** The table contract's fingerprint (hex, possibly a prefix) the rows were made against. */
  readonly fingerprint: string | null;
  /**
   * The fingerprint (hex, possibly a prefix) of the dictionary the rows were packed with, null for
   * none; absent from a codec that has no dictionaries.
   */
  readonly dictionary?: string | null;
}

export interface OpenedContainer {
  readonly header: ContainerHeader;
  readonly body: ContainerBody;
  /** The verified signer: the codec has checked the signature and the certificate. */
  readonly signer: { readonly matricule: string | null; readonly subjectKeyIdentifier: string };
}

export type OpenResult =
  | { readonly ok: true; readonly value: OpenedContainer }
  | {
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
      /**
       * When the signature verified but the body could not be used (a different table contract, a
       * value out of range), the header, signer and kind, so the server can still answer with a receipt.
       */
      readonly verified?: Pick<OpenedContainer, 'header' | 'signer'> & { readonly kind?: ContainerKind };
    };

export interface SealInput {
  readonly containerId?: string;
  readonly sender: string;
  /** Matricule of the recipient; null for the server. */
  readonly recipient: string | null;
  readonly createdAt?: Date;
  readonly sequence: number;
  readonly table?: string | null;
  readonly body: ContainerBody;
}

export interface ContainerCodec {
  /**
   * Signs and encrypts for the recipient. Returns the container's bytes and its id, and, from a codec
   * that can encrypt it again later (`reseal`), the signed container before encryption.
   */
  seal(input: SealInput): Promise<{ bytes: Uint8Array; containerId: string; signed?: Uint8Array }>;
  /**
   * Encrypts a signed container that `seal` returned for the recipient's certificate of now: a
   * server answers a container received again with its first answer, readable by a site whose
   * certificate changed meanwhile.
   */
  reseal?(recipient: string | null, signed: Uint8Array): Promise<Uint8Array>;
  /**
   * Loads what sealing for this recipient needs (its certificate), ahead of a database transaction:
   * on a single-connection database (PGlite) a lookup inside `seal` would wait on that transaction.
   */
  prepare?(recipient: string | null): Promise<void>;
  /** Decrypts and verifies; never throws on hostile bytes. */
  open(bytes: Uint8Array): Promise<OpenResult>;
}
