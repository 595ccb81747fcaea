import type { ContractTable } from '../contract.js';

/**
 * Builds the decoded rows of one contract and column list: `row` (origin first, then the columns in
 * contract order), `ownRow` (the same, then `numero`: a row of the sender's own, see `senderNumero`)
 * and `data` (the columns alone, what validateRow sees). Generated once as object literals, so V8
 * makes each row from a boilerplate in fast mode rather than property by property; where code
 * generation is disallowed (--disallow-code-generation-from-strings) the same objects are built
 * property by property. A column named "__proto__" stays a plain field either way.
 */
export type RowFactory = (
  matricule: string | null,
  numero: number | null,
  columns: readonly (readonly unknown[])[],
  r: number,
) => Record<string, unknown>;

export interface RowFactories {
  names: readonly string[];
  row: RowFactory;
  ownRow: RowFactory;
  data: (columns: readonly (readonly unknown[])[], r: number) => Record<string, unknown>;
}

/** One set per contract table, rebuilt if its column list changes. */
const factoryCache = new WeakMap<ContractTable, RowFactories>();

export function rowFactories(contract: ContractTable, names: readonly string[]): RowFactories {
  let factories = factoryCache.get(contract);
  if (!factories || !sameNames(factories.names, names)) {
    factories = buildRowFactories(names);
    factoryCache.set(contract, factories);
  }
  return factories;
}

/** Exported for tests: `generate` false builds the fallback used where code generation is disallowed. */
export function buildRowFactories(names: readonly string[], generate = true): RowFactories {
  const copy = [...names];
  if (generate) {
    try {
      return { names: copy, ...generatedFactories(copy) };
    } catch {
      // Code generation from strings is disallowed: fall through to the property-by-property builders.
    }
  }
  const define = (target: Record<string, unknown>, name: string, value: unknown) =>
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  const data = (columns: readonly (readonly unknown[])[], r: number) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < copy.length; i++) define(out, copy[i] as string, (columns[i] as unknown[])[r]);
    return out;
  };
  const row: RowFactory = (matricule, numero, columns, r) => {
    const out: Record<string, unknown> = { origin_matricule: matricule, origin_numero: numero };
    for (let i = 0; i < copy.length; i++) define(out, copy[i] as string, (columns[i] as unknown[])[r]);
    return out;
  };
  const ownRow: RowFactory = (matricule, numero, columns, r) => {
    const out = row(matricule, numero, columns, r);
    out.numero = numero;
    return out;
  };
  return { names: copy, row, ownRow, data };
}

function generatedFactories(names: readonly string[]): Omit<RowFactories, 'names'> {
  // Names are the local contract's, written as JSON string literals; "__proto__" as a computed key,
  // which defines a field where the plain literal key would set the prototype.
  const fields = names
    .map((name, i) => `${name === '__proto__' ? '["__proto__"]' : JSON.stringify(name)}: c[${i}][r]`)
    .join(', ');
  const columns = fields === '' ? '' : `, ${fields}`;
  const make = (parameters: string[], body: string) =>
    new Function(...parameters, `"use strict"; return ${body};`);
  return {
    row: make(['m', 'n', 'c', 'r'], `{ origin_matricule: m, origin_numero: n${columns} }`) as RowFactory,
    ownRow: make(
      ['m', 'n', 'c', 'r'],
      `{ origin_matricule: m, origin_numero: n${columns}, numero: n }`,
    ) as RowFactory,
    data: make(['c', 'r'], `{ ${fields} }`) as RowFactories['data'],
  };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
