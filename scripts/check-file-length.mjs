// Fails when a source file of a package is over LIMIT lines without saying at its top why it is one
// module (issue 26: one concept per file). Run by `npm run lint`; reads files only, so it is cheap.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const LIMIT = 600;
const MARKER = '// One module:';
/** How many lines at the top may hold the marker (room for a biome-ignore or a short header above it). */
const HEAD = 5;

const root = join(import.meta.dirname, '..');
const packages = join(root, 'packages');

/** Every .ts file under a package's src/, tests and declaration files left out. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    const name = entry.name;
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = readdirSync(packages, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => {
    const src = join(packages, entry.name, 'src');
    try {
      return sources(src);
    } catch {
      return []; // a package without src/
    }
  });

const long = [];
for (const path of files) {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length <= LIMIT) continue;
  const reason = lines.slice(0, HEAD).find((line) => line.startsWith(MARKER));
  long.push({ file: relative(root, path), lines: lines.length, reason });
}
long.sort((a, b) => b.lines - a.lines);

const width = Math.max(0, ...long.map((entry) => entry.file.length));
const row = (entry) => `  ${entry.file.padEnd(width)}  ${String(entry.lines).padStart(5)} lines`;
const explained = long.filter((entry) => entry.reason);
const unexplained = long.filter((entry) => !entry.reason);

if (explained.length > 0) {
  console.log(`file-length: over ${LIMIT} lines, with the reason at their top:`);
  for (const entry of explained) console.log(`${row(entry)}  ${entry.reason}`);
}
if (unexplained.length === 0) {
  console.log(`file-length: ok, no file in packages/*/src over ${LIMIT} lines without a reason.`);
} else {
  console.error(
    [
      `file-length: ${unexplained.length} source file(s) in packages/*/src over ${LIMIT} lines without a reason:`,
      ...unexplained.map(row),
      '',
      "Split each into files that hold one concept (docs/contributing.md), keeping the package's exports.",
      `If a file is truly one concept, make one of its first ${HEAD} lines a comment saying why, starting`,
      `with "${MARKER}", e.g. "${MARKER} the decoder's states share one cursor and one error path."`,
    ].join('\n'),
  );
  process.exitCode = 1;
}
