/**
 * One row: fields by name. For a contract table the origin travels in its own slot: `numero` (the
 * sender's own row) or `origin_matricule` + `origin_numero` (a relayed row); decoded rows always carry
 * `origin_matricule` and `origin_numero` as the receiver should store them.
 */
export type Row = Readonly<Record<string, unknown>>;

/** A row's own field: never something inherited such as `toString`. */
export function own(row: Row, name: string): unknown {
  return Object.hasOwn(row, name) ? row[name] : undefined;
}
