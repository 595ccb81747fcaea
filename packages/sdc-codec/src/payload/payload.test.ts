import { brotliCompressSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { birthAct, genericAct } from '../../bench/acts.js';
import { CborWriter } from '../cbor.js';
import type { ContractColumn, ContractColumnType, ContractTable, TableRegistry } from '../contract.js';
import { uuidv7 } from '../uuid.js';
import {
  buildRowFactories,
  decodePayload,
  decodePayloadHeader,
  encodePayload,
  PAYLOAD_VERSION,
  type PayloadInput,
  type Row,
} from './index.js';

const createdAt = new Date('2026-11-22T08:00:00.000Z');
const header = { sender: 'CE0001', recipient: 'SRV01', sequence: 42, createdAt };

function expectOk<T>(
  result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } },
): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('payload: contract tables (@xmcomm/contract)', () => {
  it('round-trips birth acts, with the origin as the receiver stores it', () => {
    const acts = [birthAct(1), birthAct(2)];
    const bytes = encodePayload({ ...header, kind: 'rows', table: 'births', rows: acts });
    const { header: h, body } = expectOk(decodePayload(bytes));
    expect(h).toMatchObject({
      // The Cameroon list, the default dictionary, is what format 2 means: written as format 2.
      version: 2,
      dictionary: '71ff23c028d77441',
      kind: 'rows',
      sender: 'CE0001',
      recipient: 'SRV01',
      sequence: 42,
      table: 'births',
    });
    expect(h.createdAt).toEqual(createdAt);
    expect(h.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    if (body.kind !== 'rows') throw new Error('kind');
    expect(body.rows).toHaveLength(2);
    for (const [i, act] of acts.entries()) {
      const { numero, ...data } = act;
      expect(body.rows[i]).toEqual({ origin_matricule: 'CE0001', origin_numero: numero, ...data });
    }
  });

  it('keeps a relayed row’s own origin', () => {
    const { numero: _n, ...data } = birthAct(3);
    const row = { ...data, origin_matricule: 'CE0077', origin_numero: 9 };
    const bytes = encodePayload({
      ...header,
      kind: 'import-response',
      table: 'births',
      rows: [row],
      cursor: 'next-page',
    });
    const body = expectOk(decodePayload(bytes)).body;
    expect(body).toEqual({ kind: 'import-response', rows: [row], cursor: 'next-page', request: null });
  });

  it('refuses rows the contract refuses, on encode', () => {
    const bad = { ...birthAct(1), child_sex: 'robot' };
    expect(() => encodePayload({ ...header, kind: 'rows', table: 'births', rows: [bad] })).toThrow(
      /child_sex/,
    );
    const extra = { ...birthAct(1), shoe_size: 42 };
    expect(() => encodePayload({ ...header, kind: 'rows', table: 'births', rows: [extra] })).toThrow(
      expect.objectContaining({ code: 'schema-mismatch' }),
    );
  });

  it('reports schema-mismatch when the receiver’s contract differs', () => {
    const bytes = encodePayload({ ...header, kind: 'rows', table: 'births', rows: [birthAct(1)] });
    const births = { name: 'births', fingerprint: 'ff'.repeat(32), columns: {} } as ContractTable;
    const other: TableRegistry = { findTable: (name) => (name === 'births' ? births : undefined) };
    expect(decodePayload(bytes, { tables: other })).toMatchObject({
      ok: false,
      error: { code: 'schema-mismatch' },
    });
    const none: TableRegistry = { findTable: () => undefined };
    expect(decodePayload(bytes, { tables: none })).toMatchObject({
      ok: false,
      error: { code: 'schema-mismatch' },
    });
  });

  it('makes 50 acts much smaller than 50 single containers', () => {
    const one = encodePayload({ ...header, kind: 'rows', table: 'births', rows: [birthAct(1)] }).length;
    const rows = Array.from({ length: 50 }, (_, i) => birthAct(i));
    const fifty = encodePayload({ ...header, kind: 'rows', table: 'births', rows }).length;
    expect(fifty / 50).toBeLessThan(one / 2.5);
  });
});

describe('payload: decoded rows', () => {
  const odd = [
    'plain',
    '__proto__',
    'constructor',
    'with "quotes"',
    'back\\slash',
    'line\u2028sep',
    '7',
    'toString',
  ];
  const oddTable: ContractTable = {
    name: 'odd',
    columns: Object.fromEntries(odd.map((name) => [name, { type: 'text', required: false }])),
    fingerprint: 'ab'.repeat(32),
  };
  const oddRegistry: TableRegistry = { findTable: (name) => (name === 'odd' ? oddTable : undefined) };

  it('builds the same rows with and without code generation, odd column names included', () => {
    const columns = odd.map((name, i) => [`${name}-0`, i % 2 ? null : `${name}-1`]);
    const generated = buildRowFactories(odd);
    const fallback = buildRowFactories(odd, false);
    for (let r = 0; r < 2; r++) {
      for (const make of ['row', 'ownRow'] as const) {
        const a = generated[make]('CE0001', r, columns, r);
        const b = fallback[make]('CE0001', r, columns, r);
        expect(Object.keys(a)).toEqual(Object.keys(b));
        expect(a).toEqual(b);
        expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
        expect(Object.hasOwn(a, '__proto__')).toBe(true);
      }
      const a = generated.data(columns, r);
      expect(Object.keys(a)).toEqual(Object.keys(fallback.data(columns, r)));
      expect(a).toEqual(fallback.data(columns, r));
      expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    }
    expect(Object.keys(generated.ownRow('CE0001', 3, columns, 0)).at(-1)).toBe('numero');
  });

  it('round-trips rows whose column names are odd, "__proto__" as a plain field', () => {
    const rows = [1, 2, 3].map((numero) => ({
      numero,
      ...Object.fromEntries(odd.map((name) => [name, `${name}:${numero}`])),
    }));
    for (const batch of [rows, rows.slice(0, 1)]) {
      const bytes = encodePayload(
        { ...header, kind: 'rows', table: 'odd', rows: batch },
        { tables: oddRegistry },
      );
      const body = expectOk(decodePayload(bytes, { tables: oddRegistry })).body;
      if (body.kind !== 'rows') throw new Error('kind');
      for (const [i, row] of body.rows.entries()) {
        expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
        expect(Object.keys(row)).toEqual([
          '7',
          'origin_matricule',
          'origin_numero',
          ...odd.filter((n) => n !== '7'),
        ]);
        for (const name of odd)
          expect(Object.getOwnPropertyDescriptor(row, name)?.value).toBe(`${name}:${i + 1}`);
      }
    }
  });

  it('senderNumero: a rows body gives the sender’s own rows their numero, after the columns', () => {
    const { numero: _n, ...data } = birthAct(3);
    const relayed = { ...data, origin_matricule: 'CE0077', origin_numero: 9 };
    const relayedBySender = { ...data, origin_matricule: 'CE0001', origin_numero: 12 };
    const batches: Row[][] = [
      [birthAct(1), birthAct(2)],
      [birthAct(1)],
      [birthAct(1), relayed, relayedBySender, { ...data }],
      [relayed],
    ];
    for (const rows of batches) {
      const bytes = encodePayload({ ...header, kind: 'rows', table: 'births', rows });
      const plain = expectOk(decodePayload(bytes)).body;
      const withNumero = expectOk(decodePayload(bytes, { senderNumero: true })).body;
      if (plain.kind !== 'rows' || withNumero.kind !== 'rows') throw new Error('kind');
      // What status-sync did with each row before: the same keys in the same order.
      const expected = plain.rows.map((row) =>
        row.origin_matricule === 'CE0001' ? { ...row, numero: row.origin_numero } : row,
      );
      expect(withNumero.rows).toEqual(expected);
      for (const [i, row] of withNumero.rows.entries()) {
        expect(Object.keys(row)).toEqual(Object.keys(expected[i] as Row));
      }
      expect(plain.rows.every((row) => !Object.hasOwn(row, 'numero'))).toBe(true);
    }
    // An import response never gets it.
    const response = encodePayload({
      ...header,
      kind: 'import-response',
      table: 'births',
      rows: [birthAct(1)],
    });
    const body = expectOk(decodePayload(response, { senderNumero: true })).body;
    if (body.kind !== 'import-response') throw new Error('kind');
    expect(Object.hasOwn(body.rows[0] as Row, 'numero')).toBe(false);
  });

  it('validates each row with the registry’s validateRow, on the columns alone', () => {
    const seen: Record<string, unknown>[] = [];
    const registry: TableRegistry = {
      findTable: (name) => (name === 'odd' ? oddTable : undefined),
      validateRow: (_table, row) => {
        seen.push({ ...row });
        return row.plain === 'bad'
          ? { ok: false, errors: [{ field: 'plain', message: 'is bad' }] }
          : { ok: true };
      },
    };
    const rows = [
      { numero: 1, plain: 'good' },
      { numero: 2, plain: 'bad' },
    ];
    const bytes = encodePayload({ ...header, kind: 'rows', table: 'odd', rows }, { tables: oddRegistry });
    const result = decodePayload(bytes, { tables: registry });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatchObject({
        code: 'schema-mismatch',
        message: expect.stringMatching(/: row 1: plain: is bad$/),
      });
    expect(seen).toHaveLength(2);
    expect(Object.keys(seen[0] as object)).toEqual(['7', ...odd.filter((n) => n !== '7')]);
    expect(seen[0]).toMatchObject({ plain: 'good', constructor: null });
  });
});

describe('payload: generic tables', () => {
  it('carries field names once and round-trips values by type', () => {
    const rows = [
      {
        a: 1,
        b: 'x',
        c: null,
        d: new Date('2026-01-02T03:04:05.678Z'),
        e: new Uint8Array([1, 2]),
        f: { g: [1.5] },
      },
      { b: 'x', h: true },
    ];
    const bytes = encodePayload(
      { ...header, kind: 'rows', table: 'my_table', rows },
      { compression: 'none' },
    );
    expect(Buffer.from(bytes).toString('latin1').split('"b"').length).toBeLessThanOrEqual(2);
    const decoded = expectOk(decodePayload(bytes));
    expect(decoded.header.fingerprint).toBeNull();
    expect(decoded.body).toEqual({ kind: 'rows', rows });
  });

  it('round-trips a generic birth act', () => {
    const bytes = encodePayload({ ...header, kind: 'rows', table: 'actes_locaux', rows: [genericAct(5)] });
    expect(expectOk(decodePayload(bytes)).body).toEqual({ kind: 'rows', rows: [genericAct(5)] });
  });
});

describe('payload: requests, receipts, control', () => {
  it('round-trips each kind', () => {
    const acknowledges = uuidv7();
    const inputs: PayloadInput[] = [
      {
        ...header,
        kind: 'import-request',
        filter: {
          table: 'births',
          where: [
            { field: 'date_of_birth', op: 'ge', value: '2026-01-01' },
            { field: 'date_of_declaration', op: 'between', value: ['2026-01-01', '2026-06-30'] },
            { field: 'place_of_birth_region', op: 'in', value: ['Centre', 'Littoral'] },
            { field: 'child_surname', op: 'like', value: 'Ngo%' },
            { field: 'father_surname', op: 'is-null' },
          ],
          order: [
            { field: 'date_of_birth', direction: 'desc' },
            { field: 'niu', direction: 'asc' },
          ],
          limit: 500,
          cursor: 'page-2',
        },
      },
      {
        ...header,
        kind: 'import-response',
        table: 'births',
        rows: [],
        cursor: null,
        request: acknowledges,
      },
      {
        ...header,
        kind: 'receipt',
        receipt: {
          acknowledges,
          results: [
            { numero: 1, accepted: true },
            { numero: 2, accepted: false, reason: 'duplicate' },
          ],
        },
      },
      { ...header, kind: 'control', message: { type: 'ping', at: 12 } },
    ];
    for (const input of inputs) {
      const decoded = expectOk(decodePayload(encodePayload(input)));
      expect(decoded.header.kind).toBe(input.kind);
      const { kind, sender: _s, recipient: _r, sequence: _q, createdAt: _c, ...body } = input;
      // A table travels in the header, not the body.
      const { table: _t, ...rest } = body as typeof body & { table?: string };
      expect(decoded.body).toEqual({ kind, ...rest });
    }
  });

  it('refuses an order or a request id it cannot carry, on encode', () => {
    const filter = { table: 'births', where: [], limit: null, cursor: null };
    expect(() =>
      encodePayload({
        ...header,
        kind: 'import-request',
        filter: { ...filter, order: [{ field: 'niu', direction: 'up' as 'asc' }] },
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid-input' }));
    expect(() =>
      encodePayload({ ...header, kind: 'import-response', table: 'births', rows: [], request: 'page-1' }),
    ).toThrow(expect.objectContaining({ code: 'invalid-input' }));
    // An absent order travels as an empty list.
    const decoded = expectOk(decodePayload(encodePayload({ ...header, kind: 'import-request', filter })));
    expect(decoded.body).toEqual({ kind: 'import-request', filter: { ...filter, order: [] } });
  });

  it('reads the header alone and derives the creation time from the UUIDv7', () => {
    const containerId = uuidv7(Date.parse('2026-05-01T00:00:00.001Z'));
    const bytes = encodePayload({ sender: 'CE0001', sequence: 7, containerId, kind: 'control', message: {} });
    expect(expectOk(decodePayloadHeader(bytes))).toMatchObject({
      containerId,
      sequence: 7,
      recipient: null,
      createdAt: new Date('2026-05-01T00:00:00.001Z'),
    });
    expect(() =>
      encodePayload({
        sender: 'A',
        sequence: 1,
        containerId: '00000000-0000-4000-8000-000000000000',
        kind: 'control',
        message: {},
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid-input' }));
  });
});

describe('payload: limits', () => {
  it('refuses too many rows on both sides', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ i }));
    expect(() =>
      encodePayload({ ...header, kind: 'rows', table: 't', rows }, { limits: { maxRows: 4 } }),
    ).toThrow(expect.objectContaining({ code: 'too-large' }));
    const bytes = encodePayload({ ...header, kind: 'rows', table: 't', rows });
    expect(decodePayload(bytes, { limits: { maxRows: 4 } })).toMatchObject({
      ok: false,
      error: { code: 'too-large' },
    });
  });

  it('refuses a field larger than the limit', () => {
    const bytes = encodePayload({ ...header, kind: 'rows', table: 't', rows: [{ big: 'x'.repeat(5000) }] });
    expect(decodePayload(bytes, { limits: { maxFieldBytes: 4096 } })).toMatchObject({
      ok: false,
      error: { code: 'too-large' },
    });
  });

  it('stops a decompression bomb at the limit', () => {
    // 64 MiB of zeros squeezed into a few kilobytes, in a well-formed header.
    const bomb = brotliCompressSync(Buffer.alloc(64 * 1024 * 1024), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 1 },
    });
    expect(bomb.length).toBeLessThan(20_000);
    const out = new CborWriter();
    out.head(4, 11);
    out.integer(PAYLOAD_VERSION);
    out.integer(0);
    out.bytes(Buffer.from(uuidv7().replaceAll('-', ''), 'hex'));
    out.text('CE0001');
    out.simple(null);
    out.integer(1);
    out.text('t');
    out.simple(null);
    out.simple(null);
    out.integer(2);
    out.bytes(bomb);
    const result = decodePayload(out.finish(), { limits: { maxDecompressedBytes: 1024 * 1024 } });
    expect(result).toMatchObject({ ok: false, error: { code: 'decompression-limit' } });
  });
});

// ---- properties ---------------------------------------------------------------------------------

const columnTypes: ContractColumnType[] = [
  'text',
  'integer',
  'bigint',
  'smallint',
  'boolean',
  'date',
  'time',
  'timestamp',
  'numeric',
  'bytes',
  'json',
  'uuid',
  'enum',
];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isoDay = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`);
const anyText = fc.oneof(
  // Vocabulary words, identifiers in sequence, texts that share a prefix.
  fc.constantFrom(
    'Yaoundé',
    'Douala',
    '',
    'Littoral',
    'Jean-Pierre',
    'CM-CE0001-2026-000001',
    'CM-CE0001-2026-000002',
    'abcd😀',
    'abcd😁',
    // A line feed or U+0001 in a text forces its column's items inline; numbers in sequence.
    'BP 12\nDouala',
    '\u0001',
    'A-009',
    'A-010',
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

function valueFor(column: ContractColumn): fc.Arbitrary<unknown> {
  switch (column.type) {
    case 'text':
    case 'numeric':
      return anyText;
    case 'integer':
    case 'bigint':
      return fc.maxSafeInteger();
    case 'smallint':
      return fc.integer({ min: -32768, max: 32767 });
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc.oneof(isoDay, anyText);
    case 'time':
      return fc.oneof(
        fc.tuple(fc.nat(23), fc.nat(59), fc.nat(59)).map(([h, m, s]) => `${pad(h)}:${pad(m)}:${pad(s)}`),
        anyText,
      );
    case 'timestamp':
      return fc.date({ min: new Date(-8.64e15 / 2), max: new Date(8.64e15 / 2), noInvalidDate: true });
    case 'bytes':
      return fc.uint8Array({ maxLength: 40 });
    case 'json':
      return fc.jsonValue({ maxDepth: 3 });
    case 'uuid':
      return fc.oneof(fc.uuid(), anyText);
    case 'enum':
      return fc.oneof(fc.constantFrom(...(column.values as string[])), anyText);
  }
}

const tableArbitrary = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/), { minLength: 1, maxLength: 12 })
  .filter(
    (names) =>
      !names.some((name) => ['numero', 'status', 'origin_matricule', 'origin_numero'].includes(name)),
  )
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(fc.constantFrom(...columnTypes), { minLength: names.length, maxLength: names.length }),
      fc.stringMatching(/^[0-9a-f]{64}$/),
    ),
  )
  .map(([names, types, fingerprint]) => {
    const columns: Record<string, ContractColumn> = {};
    names.forEach((name, i) => {
      const type = types[i] as ContractColumnType;
      columns[name] =
        type === 'enum' ? { type, required: false, values: ['a', 'b', 'c'] } : { type, required: false };
    });
    return { name: 'random_table', columns, fingerprint: fingerprint.toLowerCase() } satisfies ContractTable;
  });

describe('payload properties', () => {
  it('random rows of random contract tables round-trip exactly', () => {
    fc.assert(
      fc.property(
        tableArbitrary.chain((table) =>
          fc.tuple(
            fc.constant(table),
            fc.array(
              fc.record({
                numero: fc.option(fc.nat(), { nil: undefined }),
                ...Object.fromEntries(
                  Object.entries(table.columns).map(([name, column]) => [
                    name,
                    fc.option(valueFor(column), { nil: null }),
                  ]),
                ),
              }),
              { minLength: 1, maxLength: 8 },
            ),
          ),
        ),
        ([table, rows]) => {
          const registry: TableRegistry = { findTable: (name) => (name === table.name ? table : undefined) };
          const bytes = encodePayload(
            { ...header, kind: 'rows', table: table.name, rows: rows as Row[] },
            { tables: registry },
          );
          const decoded = expectOk(decodePayload(bytes, { tables: registry }));
          const expected = rows.map(({ numero, ...data }) => ({
            origin_matricule: numero === undefined ? null : 'CE0001',
            origin_numero: numero ?? null,
            ...data,
          }));
          expect(decoded.body).toEqual({ kind: 'rows', rows: expected });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random generic rows round-trip exactly', () => {
    const value = fc.oneof(
      anyText,
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 20 }),
      fc.date({
        min: new Date('0001-01-01T00:00:00Z'),
        max: new Date('9999-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 6 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (rows) => {
          const bytes = encodePayload({ ...header, kind: 'rows', table: 'not_in_contract', rows });
          expect(expectOk(decodePayload(bytes)).body).toEqual({ kind: 'rows', rows });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random flips and truncations of a payload end in a typed failure or a valid payload, never a throw', () => {
    const bytes = encodePayload({
      ...header,
      kind: 'rows',
      table: 'births',
      rows: [birthAct(1), birthAct(2)],
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
        fc.nat(bytes.length),
        (flips, cut) => {
          const mutated = new Uint8Array(bytes.subarray(0, Math.max(1, cut)));
          for (const [at, xor] of flips) if (at < mutated.length) mutated[at] = (mutated[at] as number) ^ xor;
          const result = decodePayload(mutated);
          if (!result.ok) expect(result.error.code).toMatch(/^[a-z-]+$/);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
