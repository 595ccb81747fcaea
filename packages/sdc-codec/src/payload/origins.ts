import type { CborReader, CborWriter } from '../cbor.js';
import { SdcError } from '../errors.js';
import { packColumn } from '../packed.js';
import { own, type Row } from './row.js';
import { nextPacked, type ReadStreams, type WriteStreams } from './streams.js';

// A contract row's origin slot (docs/sdc-format.md §4.3): the sender's own `numero` for a row created
// at the sender, or [origin_matricule, origin_numero] for a row the sender relays (the server
// answering an import).

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function writeOrigin(out: CborWriter, row: Row, index: number): void {
  const matricule = own(row, 'origin_matricule') ?? null;
  const originNumero = own(row, 'origin_numero') ?? null;
  const numero = own(row, 'numero') ?? null;
  if (matricule !== null) {
    if (typeof matricule !== 'string' || !isNumber(originNumero)) {
      throw new SdcError('invalid-input', `row ${index}: origin_matricule needs an integer origin_numero`);
    }
    out.head(4, 2);
    out.text(matricule);
    out.integer(originNumero);
  } else if (numero !== null) {
    if (!isNumber(numero))
      throw new SdcError('invalid-input', `row ${index}: numero must be a non-negative integer`);
    out.integer(numero);
  } else out.simple(null);
}

/**
 * Origins of a batch: packed row numbers when every row is the sender's own (or unknown), the
 * usual case, where consecutive numbers cost nothing; an array of origins otherwise.
 */
export function writeOrigins(out: CborWriter, rows: readonly Row[], streams: WriteStreams): void {
  const numbers: (number | null)[] = [];
  for (const [index, row] of rows.entries()) {
    if ((own(row, 'origin_matricule') ?? null) !== null) break;
    const numero = own(row, 'numero') ?? null;
    if (numero !== null && !isNumber(numero))
      throw new SdcError('invalid-input', `row ${index}: numero must be a non-negative integer`);
    numbers.push(numero);
  }
  const packed = numbers.length === rows.length ? packColumn(numbers) : undefined;
  if (packed) {
    streams.bits.push(packed);
    out.integer(0);
    return;
  }
  out.head(4, rows.length);
  for (const [index, row] of rows.entries()) writeOrigin(out, row, index);
}

function readOrigin(
  reader: CborReader,
  sender: string,
  matricules: (string | null)[],
  numeros: (number | null)[],
  r: number,
): void {
  if (reader.isNull()) {
    matricules[r] = null;
    numeros[r] = null;
    return;
  }
  const value = reader.value(1);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    matricules[r] = sender;
    numeros[r] = value;
    return;
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'number' &&
    Number.isSafeInteger(value[1]) &&
    value[1] >= 0
  ) {
    matricules[r] = value[0];
    numeros[r] = value[1];
    return;
  }
  throw new SdcError('malformed', 'bad row origin');
}

/** Fills `matricules` and `numeros` (one entry per row) from a single row's origin or a batch's origins. */
export function readOrigins(
  reader: CborReader,
  matricules: (string | null)[],
  numeros: (number | null)[],
  sender: string,
  streams: ReadStreams,
): void {
  const n = matricules.length;
  if (n === 1) {
    readOrigin(reader, sender, matricules, numeros, 0);
    return;
  }
  if (reader.nextMajor() === 0) {
    if (reader.uint() !== 0) throw new SdcError('malformed', 'bad origin column');
    const numbers = nextPacked(streams, n);
    for (let r = 0; r < n; r++) {
      const numero = numbers[r] as number | null;
      if (numero !== null && numero < 0) throw new SdcError('malformed', 'bad row origin');
      matricules[r] = numero === null ? null : sender;
      numeros[r] = numero;
    }
    return;
  }
  if (reader.arrayHead() !== n) throw new SdcError('malformed', 'origin column length');
  for (let r = 0; r < n; r++) readOrigin(reader, sender, matricules, numeros, r);
}
