// A strict JSON reader that remembers where each value starts, so that a definition's problem is
// reported at its line and column, not only its path. JSON.parse gives no positions (and accepts
// duplicate keys, keeping the last silently): a definition file is written by hand, and an operator
// must be told which line to fix. Bounded: size, depth and count of values, before any work.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface ReadLimits {
  /** Characters; a definition of 200 fields is about 40 KB. */
  readonly maxLength: number;
  readonly maxDepth: number;
  readonly maxValues: number;
}

export const defaultReadLimits: ReadLimits = { maxLength: 256 * 1024, maxDepth: 16, maxValues: 20_000 };

export type ReadResult =
  | { readonly ok: true; readonly value: Json; readonly positions: ReadonlyMap<string, Position> }
  | {
      readonly ok: false;
      readonly code: 'too-large' | 'too-deep' | 'not-json';
      readonly position?: Position;
      readonly detail: string;
      readonly detailFr: string;
    };

class Stop extends Error {
  constructor(
    readonly code: 'too-deep' | 'not-json' | 'too-large',
    readonly offset: number,
    readonly detail: string,
    readonly detailFr: string,
  ) {
    super(detail);
  }
}

/** `$.fields[2].name`: the path of a member or an element below `parent`. */
export const member = (parent: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
export const element = (parent: string, index: number) => `${parent}[${index}]`;

/** Reads `text` as JSON; every value's start is kept under its path (`$`, `$.fields[0].name`). */
export function readJson(text: string, limits: ReadLimits = defaultReadLimits): ReadResult {
  if (text.length > limits.maxLength) {
    return {
      ok: false,
      code: 'too-large',
      detail: `${text.length} characters, at most ${limits.maxLength}`,
      detailFr: `${text.length} caractères, au plus ${limits.maxLength}`,
    };
  }
  const offsets = new Map<string, number>();
  let at = 0;
  let values = 0;
  const fail = (
    detail: string,
    detailFr: string,
    code: 'not-json' | 'too-deep' | 'too-large' = 'not-json',
  ): never => {
    throw new Stop(code, at, detail, detailFr);
  };
  const space = () => {
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) at++;
      else break;
    }
  };
  const string = (): string => {
    at++; // the opening quote
    let out = '';
    let start = at;
    while (true) {
      if (at >= text.length) fail('a text is not closed by "', 'un texte n\'est pas fermé par "');
      const c = text.charCodeAt(at);
      if (c === 0x22) {
        out += text.slice(start, at);
        at++;
        return out;
      }
      if (c < 0x20)
        fail(
          'a control character inside a text (write \\n)',
          'un caractère de contrôle dans un texte (écrivez \\n)',
        );
      if (c === 0x5c) {
        out += text.slice(start, at);
        const e = text[at + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && e in simple) {
          out += simple[e];
          at += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
        } else fail('an unknown escape in a text', 'un échappement inconnu dans un texte');
        start = at;
        continue;
      }
      at++;
    }
  };
  const value = (path: string, depth: number): Json => {
    if (depth > limits.maxDepth)
      fail(
        `nested deeper than ${limits.maxDepth} levels`,
        `plus de ${limits.maxDepth} niveaux d'imbrication`,
        'too-deep',
      );
    if (++values > limits.maxValues)
      fail(`more than ${limits.maxValues} values`, `plus de ${limits.maxValues} valeurs`, 'too-large');
    space();
    offsets.set(path, at);
    const c = text[at];
    if (c === '{') {
      at++;
      const out: Record<string, Json> = {};
      space();
      if (text[at] === '}') {
        at++;
        return out;
      }
      while (true) {
        space();
        if (text[at] !== '"')
          fail('a member name in double quotes is expected', 'un nom de membre entre guillemets est attendu');
        const keyAt = at;
        const key = string();
        if (Object.hasOwn(out, key)) {
          at = keyAt;
          fail(`"${key.slice(0, 40)}" is given twice`, `« ${key.slice(0, 40)} » est donné deux fois`);
        }
        space();
        if (text[at] !== ':')
          fail('":" is expected after a member name', '« : » est attendu après un nom de membre');
        at++;
        const path2 = member(path, key);
        Object.defineProperty(out, key, {
          value: value(path2, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === '}') {
          at++;
          return out;
        }
        fail('"," or "}" is expected', '« , » ou « } » est attendu');
      }
    }
    if (c === '[') {
      at++;
      const out: Json[] = [];
      space();
      if (text[at] === ']') {
        at++;
        return out;
      }
      while (true) {
        out.push(value(element(path, out.length), depth + 1));
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === ']') {
          at++;
          return out;
        }
        fail('"," or "]" is expected', '« , » ou « ] » est attendu');
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(
      text.slice(at, at + 40),
    );
    if (!literal && at >= text.length) fail('the text ends too early', 'le texte finit trop tôt');
    if (!literal) fail('a value is expected', 'une valeur est attendue');
    const word = (literal as RegExpExecArray)[0];
    at += word.length;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    return Number(word);
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) at = 1; // a byte order mark some editors write
    const result = value('$', 0);
    space();
    if (at < text.length) fail('more after the end of the document', 'du texte après la fin du document');
    const lines = lineStarts(text);
    const positions = new Map<string, Position>();
    for (const [path, offset] of offsets) positions.set(path, positionOf(lines, offset));
    return { ok: true, value: result, positions };
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return {
      ok: false,
      code: error.code,
      position: positionOf(lineStarts(text), Math.min(error.offset, text.length)),
      detail: error.detail,
      detailFr: error.detailFr,
    };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) starts.push(i + 1);
  return starts;
}

function positionOf(lines: readonly number[], offset: number): Position {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lines[middle] as number) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (lines[low] as number) + 1 };
}
