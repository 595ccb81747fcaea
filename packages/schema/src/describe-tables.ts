import type { AnyTable, ColumnSpec } from '@xmcomm/contract';

function describeType(spec: ColumnSpec): string {
  switch (spec.type) {
    case 'text':
      return spec.maxLength ? `varchar(${spec.maxLength})` : 'text';
    case 'enum':
      return `text: ${spec.values?.map((v) => `\`${v}\``).join(', ')}`;
    case 'timestamp':
      return 'timestamptz';
    case 'bytes':
      return 'bytea';
    case 'json':
      return 'jsonb';
    default:
      return spec.type;
  }
}

function describeRules(spec: ColumnSpec): string {
  const rules: string[] = [];
  if (spec.primaryKey) rules.push('primary key');
  else if (spec.required) rules.push('required');
  if (spec.unique) rules.push('unique');
  if (spec.default === 'identity') rules.push('identity');
  else if (spec.default !== undefined)
    rules.push(`default ${spec.default === 'now' ? 'now()' : `\`${spec.default}\``}`);
  if (spec.min !== undefined || spec.max !== undefined)
    rules.push(`${spec.min ?? '…'} to ${spec.max ?? '…'}`);
  if (spec.pattern) rules.push(`matches \`${spec.pattern.replaceAll('|', '\\|')}\``);
  if (spec.references) rules.push(`→ ${spec.references.table}.${spec.references.column}`);
  if (spec.since) rules.push(`since ${spec.since}`);
  return rules.join(', ');
}

/** The Markdown reference of the given tables, generated so that it never drifts from the contract. */
export function describeTables(tables: readonly AnyTable[]): string {
  const sorted = [...tables].sort((a, b) => a.qualifiedName.localeCompare(b.qualifiedName));
  const sections = sorted.map((table) => {
    const rows = Object.entries(table.columns as Record<string, ColumnSpec>).map(
      ([name, spec]) => `| \`${name}\` | ${describeType(spec)} | ${describeRules(spec)} |`,
    );
    const extra = [
      ...table.uniques.map((u) => `Unique together: ${u.map((c) => `\`${c}\``).join(', ')}.`),
      ...table.indexes.map((i) => `Index: ${i.map((c) => `\`${c}\``).join(', ')}.`),
    ];
    return [
      `### \`${table.qualifiedName}\`${table.label ? ` (${table.label.en} / ${table.label.fr})` : ''}`,
      '',
      `${table.kind === 'exchanged' ? 'Exchanged' : 'System'} table. Fingerprint \`${table.fingerprint}\`.`,
      '',
      '| column | type | rules |',
      '|---|---|---|',
      ...rows,
      ...(extra.length ? ['', ...extra] : []),
    ].join('\n');
  });
  return `${sections.join('\n\n')}\n`;
}
