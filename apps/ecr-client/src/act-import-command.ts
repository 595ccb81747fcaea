import type { Language } from '@xmcomm/schema';
import { requireAction } from '@xmcomm/site-kit';
import { type Command, Option } from 'commander';
import {
  formatOf,
  type ImportFormat,
  type ImportRow,
  importFormats,
  parseImport,
  type RowProblem,
  readImportText,
} from './act-import.js';
import { type CentreContext, centreKit, checkAct } from './acts.js';
import type { CliIo } from './cli-io.js';
import { EcrError, fromKit, viaKit } from './errors.js';
import { type ActKind, actKinds } from './rules.js';
import type { SessionUser } from './users.js';

export interface ActImportDeps {
  readonly io: CliIo;
  readonly asUser: <T>(
    body: (ctx: CentreContext, user: SessionUser, password: string) => Promise<T>,
  ) => Promise<T>;
  readonly language: () => Language;
  readonly json: () => boolean;
  readonly print: (human: string, json: unknown) => void;
}

interface ImportOptions {
  kind?: ActKind;
  format?: ImportFormat;
  verify?: boolean;
}

const t = (language: Language, en: string, fr: string) => (language === 'fr' ? fr : en);

const phaseNames = {
  checking: { en: 'checking', fr: 'contrôle' },
  storing: { en: 'storing', fr: 'enregistrement' },
} as const;

/** One line on stderr, redrawn: only on a terminal and never with --json (scripts read stdout). */
function progressLine(io: CliIo, language: Language, enabled: boolean) {
  let drawn = false;
  return {
    update(phase: keyof typeof phaseNames, done: number, total: number) {
      if (!enabled) return;
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      io.stderr(`\r${phaseNames[phase][language].padEnd(15)} ${done}/${total} (${percent} %)`);
      drawn = true;
    },
    end() {
      if (drawn) io.stderr('\n');
    },
  };
}

/**
 * Every refusal of the file's rows, in line order: those the parser found, then each act's field
 * problems exactly as `ecr act new` reports them (the same `checkAct`).
 */
function refusals(
  ctx: CentreContext,
  rows: readonly ImportRow[],
  parsed: readonly RowProblem[],
): RowProblem[] {
  const today = ctx.today();
  const found: RowProblem[] = [...parsed];
  for (const row of rows) {
    const checked = checkAct(row.kind, row.input, today, ctx.rules);
    // A civil rule's codes are not the contract's: ECR's errors carry both (as fromKit does).
    if (Array.isArray(checked))
      found.push(...checked.map((error) => ({ ...error, line: row.line }) as RowProblem));
  }
  return found.sort((a, b) => a.line - b.line);
}

/** `ecr act import FILE`: a register typed in, every act through `act new`'s checks, all or none. */
export function registerActImportCommand(act: Command, deps: ActImportDeps): void {
  const { io, asUser, language, print } = deps;
  act
    .command('import <file>')
    .description(
      'draft acts from a CSV file with a header row, or JSON lines, all or none (agent; --verify: secretary)',
    )
    .addOption(
      new Option('--kind <kind>', 'birth, marriage or death, for rows without a kind column').choices(
        actKinds,
      ),
    )
    .addOption(
      new Option('--format <format>', 'csv or jsonl (default: from the file name)').choices(importFormats),
    )
    .option('--verify', 'also mark every act verified (secretary or officer)')
    .action((file: string, options: ImportOptions) =>
      asUser(async (ctx, actor) => {
        const lang = language();
        const format = formatOf(file, options.format);
        const parsed = parseImport(file, await readImportText(file), format, options.kind);
        const kit = centreKit(ctx);
        // The privileges first, as for one act: an agent's --verify is refused before any row is read.
        const kinds = new Set<ActKind>([
          ...parsed.rows.map((row) => row.kind),
          ...(options.kind ? [options.kind] : []),
        ]);
        try {
          for (const kind of kinds) {
            requireAction(actor, kit.recordType(kind), 'draft');
            if (options.verify) requireAction(actor, kit.recordType(kind), 'verify');
          }
        } catch (error) {
          throw fromKit(error);
        }
        if (parsed.rows.length === 0 && parsed.problems.length === 0) {
          throw new EcrError('file', {
            path: file,
            action: 'Cannot import',
            actionFr: "Impossible d'importer",
            problem: 'it holds no act',
            problemFr: 'il ne contient aucun acte',
          });
        }
        const refuse = (problems: readonly RowProblem[]) =>
          new EcrError(
            'import-refused',
            { count: new Set(problems.map((p) => p.line)).size, path: file },
            { fieldErrors: problems },
          );
        if (parsed.problems.length > 0) throw refuse(refusals(ctx, parsed.rows, parsed.problems));

        const progress = progressLine(io, lang, io.stderrIsTerminal === true && !deps.json());
        let result: Awaited<ReturnType<typeof kit.records.draftMany>>;
        try {
          result = await viaKit(
            kit.records.draftMany(
              actor,
              parsed.rows.map((row) => ({ type: row.kind, input: row.input })),
              { verify: options.verify === true, onProgress: progress.update },
            ),
          );
        } finally {
          progress.end();
        }
        if (!result.ok) {
          throw refuse(
            result.refused.flatMap(({ index, errors }) =>
              errors.map((error) => ({ ...error, line: parsed.rows[index]?.line ?? 0 }) as RowProblem),
            ),
          );
        }
        const refs = result.refs.map((ref) => ref.ref);
        const byKind: Partial<Record<ActKind, number>> = {};
        for (const row of parsed.rows) byKind[row.kind] = (byKind[row.kind] ?? 0) + 1;
        const counts = Object.entries(byKind)
          .map(([kind, count]) => `${count} ${kind}`)
          .join(', ');
        const span =
          refs.length === 0 ? '' : refs.length === 1 ? ` ${refs[0]}` : ` ${refs[0]} … ${refs.at(-1)}`;
        print(
          options.verify
            ? t(
                lang,
                `Imported ${refs.length} act(s) from ${file} (${counts}), drafted and verified:${span}.`,
                `${refs.length} acte(s) importé(s) de ${file} (${counts}), rédigés et vérifiés :${span}.`,
              )
            : t(
                lang,
                `Imported ${refs.length} act(s) from ${file} (${counts}) as drafts:${span}.`,
                `${refs.length} acte(s) importé(s) de ${file} (${counts}), rédigés :${span}.`,
              ),
          {
            file,
            format,
            imported: refs.length,
            byKind,
            status: 1,
            verified: options.verify === true,
            refs,
          },
        );
      }),
    );
}
