import { createPrivateKey, KeyObject } from 'node:crypto';
import { type AnyTable, cameroonDictionary, exchangedTables } from '@xmcomm/schema';
import {
  type ImportFilter as CodecFilter,
  type FilterOperator as CodecOperator,
  createContainerId,
  createDecoder,
  createEncoder,
  type PayloadHeader,
  type PayloadInput,
  type RecipientIdentityOptions,
  type RecipientOptions,
  type SdcDictionary,
  type SdcEncoder,
  type SignerOptions,
  type SignerResolver,
  type TableRegistry,
  type TrustedSigner,
} from '@xmcomm/sdc-codec';
import type {
  ContainerBody,
  ContainerCodec,
  ContainerHeader,
  OpenedContainer,
  OpenResult,
  SealInput,
} from './container.js';
import { StatusSyncError } from './errors.js';
import type { FilterCondition, FilterOperator, ImportFilter } from './filter.js';

export interface SdcCodecOptions {
  /** This side's signing key and certificate. */
  readonly signer: SignerOptions;
  /** This side's decryption key (and certificate). */
  readonly recipient: RecipientIdentityOptions;
  /** Who may sign what we receive; must name the signer's matricule (a server's: createServerSigners). */
  readonly signers: SignerResolver;
  /** Whom to encrypt a container for, by recipient matricule (null: the server). */
  readonly recipientsFor: (
    matricule: string | null,
  ) => readonly RecipientOptions[] | Promise<readonly RecipientOptions[]>;
  /** The exchanged tables (the civil registration tables by default). */
  readonly tables?: readonly AnyTable[];
  /**
   * The deployment's dictionary that sealed rows are packed with (docs/sdc-format.md §4.6): the
   * demo (Cameroon) deployment's by default; null for none.
   */
  readonly dictionary?: SdcDictionary | null;
  /**
   * The dictionaries opened containers may name (default: `dictionary`, and the Cameroon list). A
   * container packed with another fails with `unknown-dictionary`, which a server answers with a
   * receipt refusing it whole.
   */
  readonly dictionaries?: readonly SdcDictionary[];
  /** How long an encoder prepared for one recipient is reused (default 60 s; at least as long as an apply). */
  readonly encoderCacheMs?: number;
  /**
   * Most recipients whose encoder is kept (default 1,000; least recently used dropped first), so a
   * server that has answered 100,000 sites does not hold 100,000 encoders. Keep it above the number
   * of containers applied at once: `prepare` must still find its encoder when the receipt is sealed.
   */
  readonly encoderCacheSize?: number;
}

type PrivateKeyInput = SignerOptions['privateKey'];

/**
 * An encrypted PKCS#8 key costs a deliberately slow key derivation each time it is read; every
 * encoder would read it again (0.2-0.3 s of CPU per recipient), so it is read once here.
 */
function unlock(key: PrivateKeyInput, passphrase: string | undefined): PrivateKeyInput {
  if (key instanceof KeyObject || passphrase === undefined) return key;
  try {
    return typeof key === 'string'
      ? createPrivateKey({ key, format: 'pem', passphrase })
      : createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8', passphrase });
  } catch {
    // Left as it was: sdc-codec reports an unreadable key with its own error code.
    return key;
  }
}

const toCodec: Readonly<Record<FilterOperator, CodecOperator>> = {
  '=': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
  like: 'like',
  in: 'in',
  between: 'between',
  'is-null': 'is-null',
};
const fromCodec = new Map<string, FilterOperator>(
  Object.entries(toCodec).map(([ours, theirs]) => [theirs, ours as FilterOperator]),
);

/** The whole filter travels; checkFilter on the server judges it, so nothing is dropped or rewritten here. */
function filterToCodec(filter: ImportFilter): CodecFilter {
  const where: { field: string; op: CodecOperator; value?: unknown }[] = [];
  for (const condition of filter.conditions ?? []) {
    const op = toCodec[condition.op];
    if (!op) throw new StatusSyncError('invalid-filter', `operator ${String(condition.op)}`);
    where.push(
      condition.value === undefined || condition.op === 'is-null'
        ? { field: condition.field, op }
        : { field: condition.field, op, value: condition.value },
    );
  }
  const order = (filter.order ?? []).map((key) => ({ field: key.field, direction: key.direction ?? 'asc' }));
  return { table: filter.table, where, order, limit: filter.limit ?? null, cursor: filter.cursor ?? null };
}

function filterFromCodec(filter: CodecFilter): ImportFilter {
  // An operator we do not have (not-null) stays as it came, so checkFilter refuses it with a reason.
  const conditions = filter.where.map(
    (w) =>
      ({
        field: w.field,
        op: fromCodec.get(w.op) ?? w.op,
        ...(w.value !== undefined ? { value: w.value } : {}),
      }) as FilterCondition,
  );
  return {
    table: filter.table,
    conditions,
    ...(filter.order && filter.order.length > 0 ? { order: filter.order } : {}),
    limit: filter.limit ?? null,
    cursor: filter.cursor ?? null,
  };
}

function payloadInput(input: SealInput): PayloadInput {
  const header = {
    sender: input.sender,
    recipient: input.recipient,
    sequence: input.sequence,
    ...(input.containerId ? { containerId: input.containerId } : {}),
  };
  const body = input.body;
  switch (body.kind) {
    case 'rows':
      return { ...header, kind: 'rows', table: String(input.table), rows: body.rows };
    case 'import-response':
      return {
        ...header,
        kind: 'import-response',
        table: String(input.table),
        rows: body.rows,
        cursor: body.cursor,
        request: body.request,
      };
    case 'import-request':
      return { ...header, kind: 'import-request', filter: filterToCodec(body.filter) };
    case 'receipt':
      return { ...header, kind: 'receipt', receipt: body.receipt };
    case 'control':
      return { ...header, kind: 'control', message: body.message };
  }
}

function headerOf(header: PayloadHeader): ContainerHeader {
  return {
    containerId: header.containerId,
    sender: header.sender,
    recipient: header.recipient,
    createdAt: header.createdAt,
    sequence: header.sequence,
    table: header.table,
    fingerprint: header.fingerprint,
    dictionary: header.dictionary,
  };
}

/** The SKI in hex, once per signer object: a resolver hands out the same object while it caches it. */
const skiHex = new WeakMap<TrustedSigner, string>();

function signerOf(signer: TrustedSigner): OpenedContainer['signer'] {
  let ski = skiHex.get(signer);
  if (ski === undefined) {
    ski = Buffer.from(signer.subjectKeyIdentifier).toString('hex');
    skiHex.set(signer, ski);
  }
  return { matricule: signer.matricule ?? null, subjectKeyIdentifier: ski };
}

/** The exchanged tables as the codec's registry: every column but numero and status travels, origin included. */
export function tableRegistry(
  tables: readonly AnyTable[] = exchangedTables as readonly AnyTable[],
): TableRegistry {
  return { findTable: (name) => tables.find((table) => table.name === name && table.kind === 'exchanged') };
}

/**
 * status-sync's codec seam over `@xmcomm/sdc-codec`: CMS SignedData inside (Auth)EnvelopedData, the
 * signer checked by `signers`, which must name the signer's matricule (the server then requires it to
 * equal the container's sender).
 */
export function createSdcCodec(options: SdcCodecOptions): ContainerCodec {
  const tables = tableRegistry(options.tables);
  const signerKey = unlock(options.signer.privateKey, options.signer.passphrase);
  const sameKey =
    options.recipient.privateKey === options.signer.privateKey &&
    options.recipient.passphrase === options.signer.passphrase;
  const { passphrase: _signerPassphrase, ...signerRest } = options.signer;
  const signer: SignerOptions = { ...signerRest, privateKey: signerKey };
  const { passphrase: _recipientPassphrase, ...recipientRest } = options.recipient;
  const recipient: RecipientIdentityOptions = {
    ...recipientRest,
    privateKey: sameKey ? signerKey : unlock(options.recipient.privateKey, options.recipient.passphrase),
  };
  const dictionary = options.dictionary === undefined ? cameroonDictionary : options.dictionary;
  const dictionaries =
    options.dictionaries ?? (dictionary === null ? [cameroonDictionary] : [dictionary, cameroonDictionary]);
  // senderNumero: the codec gives a sender's own contract row its numero as it builds the row.
  const decoder = createDecoder({
    recipient,
    signers: options.signers,
    tables,
    senderNumero: true,
    dictionaries,
  });
  const cacheMs = options.encoderCacheMs ?? 60_000;
  const cacheSize = Math.max(1, options.encoderCacheSize ?? 1_000);
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recently used.
  const encoders = new Map<string, { encoder: SdcEncoder; until: number }>();

  async function encoderFor(recipientMatricule: string | null): Promise<SdcEncoder> {
    const key = recipientMatricule ?? '';
    const cached = encoders.get(key);
    if (cached && cached.until > Date.now()) {
      encoders.delete(key);
      encoders.set(key, cached);
      return cached.encoder;
    }
    const recipients = await options.recipientsFor(recipientMatricule);
    if (recipients.length === 0)
      throw new StatusSyncError('seal-failed', `no certificate for ${recipientMatricule ?? 'the server'}`);
    const encoder = createEncoder({ signer, recipients, tables, dictionary });
    encoders.delete(key);
    encoders.set(key, { encoder, until: Date.now() + cacheMs });
    while (encoders.size > cacheSize) {
      const oldest = encoders.keys().next().value;
      if (oldest === undefined) break;
      encoders.delete(oldest);
    }
    return encoder;
  }

  return {
    async prepare(recipient) {
      await encoderFor(recipient);
    },
    async seal(input) {
      const encoder = await encoderFor(input.recipient);
      // The id is chosen here because it ends up inside the encrypted payload, and the caller needs it.
      const containerId = input.containerId ?? createContainerId(input.createdAt?.getTime());
      const signed = encoder.sign(payloadInput({ ...input, containerId }));
      return { bytes: encoder.encrypt(signed) as Uint8Array, containerId, signed };
    },
    async reseal(recipient, signed) {
      return (await encoderFor(recipient)).encrypt(signed) as Uint8Array;
    },
    async open(bytes): Promise<OpenResult> {
      const decoded = await decoder.decode(bytes);
      if (!decoded.ok) {
        const error = { code: decoded.error.code, message: decoded.error.message };
        // A body that cannot be used comes with its header once the signature and signer verified.
        if (!decoded.verified) return { ok: false, error };
        return {
          ok: false,
          error,
          verified: {
            header: headerOf(decoded.verified.header),
            signer: signerOf(decoded.verified.signer),
            kind: decoded.verified.header.kind,
          },
        };
      }
      const { header, body: raw, signer } = decoded.value;
      let body: ContainerBody;
      if (raw.kind === 'import-request')
        body = { kind: 'import-request', filter: filterFromCodec(raw.filter) };
      else if (raw.kind === 'import-response')
        body = { kind: 'import-response', rows: raw.rows, cursor: raw.cursor, request: raw.request };
      else if (raw.kind === 'rows') {
        // The codec returns a sender's own row as its origin pair; status-sync speaks of its numero.
        // Contract rows (a fingerprint) come with it already (senderNumero); generic rows get it here.
        const rows =
          header.fingerprint !== null
            ? raw.rows
            : raw.rows.map((row) =>
                row.origin_matricule === header.sender ? { ...row, numero: row.origin_numero } : row,
              );
        body = { kind: 'rows', rows };
      } else body = raw;
      return {
        ok: true,
        value: { header: headerOf(header), body, signer: signerOf(signer) },
      };
    },
  };
}
