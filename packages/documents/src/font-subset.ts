/**
 * A faster writer for the font subsets pdfkit embeds, byte for byte what fontkit's TTFSubset
 * writes (the tests compare both on every Roboto face). fontkit encodes each table field by field
 * through restructure, the font program (`fpgm`, about 4,000 instructions in Roboto) one byte at a
 * time and twice (size, then bytes): about 1 ms per face per document. The tables that do not
 * depend on the glyphs (`cvt `, `prep`, `fpgm`) are copied from the font file, `head`, `hhea` and
 * `maxp` copied with their one changed field, and `glyf`, `loca`, `hmtx` written from each glyph's
 * bytes and metrics, read once per process and glyph (composite glyphs renumbered as fontkit does).
 */

interface HorizontalMetric {
  readonly advance: number;
  readonly bearing: number;
}

interface FontkitGlyph {
  readonly advanceWidth: number;
  _decode(): { numberOfContours: number; components?: { glyphID: number; pos: number }[] } | null;
  _getMetrics(): { leftBearing: number };
}

/** The parts of fontkit's TTFSubset (2.x) this writer reads. */
export interface TrueTypeSubset {
  glyphs: number[];
  font: { getGlyph(id: number): FontkitGlyph; loca: { offsets: number[] } };
  includeGlyph(glyphId: number): number;
  encode(): Uint8Array;
}

/** What a glyph brings to a subset, the same in every document: its outline bytes, components, metrics. */
interface GlyphEntry {
  readonly bytes: Uint8Array;
  readonly components: readonly { glyphID: number; pos: number }[];
  readonly metric: HorizontalMetric;
}

/** Per font: decoding a glyph to find its components was the other half of a subset's time. */
const glyphCaches = new WeakMap<object, Map<number, GlyphEntry>>();

function glyphEntry(subset: TrueTypeSubset, source: SubsetSource, id: number): GlyphEntry {
  let cache = glyphCaches.get(subset.font);
  if (!cache) {
    cache = new Map();
    glyphCaches.set(subset.font, cache);
  }
  const known = cache.get(id);
  if (known) return known;
  const glyph = subset.font.getGlyph(id);
  const outline = glyph._decode();
  const start = (source.tables.glyf?.offset ?? 0) + (subset.font.loca.offsets[id] ?? 0);
  const end = (source.tables.glyf?.offset ?? 0) + (subset.font.loca.offsets[id + 1] ?? 0);
  const entry: GlyphEntry = {
    bytes: source.file.slice(start, end),
    components: outline && outline.numberOfContours < 0 ? (outline.components ?? []) : [],
    metric: { advance: glyph.advanceWidth, bearing: glyph._getMetrics().leftBearing },
  };
  cache.set(id, entry);
  return entry;
}

interface TableRecord {
  readonly offset: number;
  readonly length: number;
}

/** The raw tables a subset copies, found in the font file's directory. */
export interface SubsetSource {
  readonly file: Uint8Array;
  readonly tables: Readonly<Record<string, TableRecord | undefined>>;
  readonly locaVersion: number;
}

/** fontkit's order of the subset's tables; a table the font lacks is left out. */
const ORDER = ['head', 'hhea', 'loca', 'maxp', 'cvt ', 'prep', 'glyf', 'hmtx', 'fpgm'] as const;
const HEAD_LENGTH = 54;
const HHEA_LENGTH = 36;
const MAXP_LENGTH = 32;

/** Whether this writer gives fontkit's bytes for this font: the fixed tables as fontkit writes them. */
export function canWriteSubsets(source: SubsetSource): boolean {
  const { head, hhea, maxp, loca, glyf, hmtx } = source.tables;
  return (
    head?.length === HEAD_LENGTH &&
    hhea?.length === HHEA_LENGTH &&
    maxp?.length === MAXP_LENGTH &&
    loca !== undefined &&
    glyf !== undefined &&
    hmtx !== undefined &&
    (source.locaVersion === 0 || source.locaVersion === 1)
  );
}

function copyOf(source: SubsetSource, tag: string): Buffer {
  const record = source.tables[tag];
  if (!record) return Buffer.alloc(0);
  return Buffer.from(source.file.subarray(record.offset, record.offset + record.length));
}

/** The subset's font file, as fontkit's `TTFSubset.encode` writes it. */
export function writeSubset(subset: TrueTypeSubset, source: SubsetSource): Buffer {
  // As fontkit's _addGlyph: a composite glyph's components join the subset as they are met and
  // its bytes are copied with their new glyph numbers.
  const outlines: Uint8Array[] = [];
  const metrics: HorizontalMetric[] = [];
  const offsets: number[] = [];
  let position = 0;
  for (let index = 0; index < subset.glyphs.length; index += 1) {
    const entry = glyphEntry(subset, source, subset.glyphs[index] ?? 0);
    let bytes = entry.bytes;
    if (entry.components.length > 0) {
      bytes = new Uint8Array(entry.bytes);
      const view = new DataView(bytes.buffer);
      for (const component of entry.components)
        view.setUint16(component.pos, subset.includeGlyph(component.glyphID));
    }
    outlines.push(bytes);
    offsets.push(position);
    metrics.push(entry.metric);
    position += bytes.length;
  }
  offsets.push(position);

  const head = copyOf(source, 'head');
  head.writeInt16BE(source.locaVersion, 50);
  const hhea = copyOf(source, 'hhea');
  hhea.writeUInt16BE(metrics.length, 34);
  const maxp = copyOf(source, 'maxp');
  maxp.writeUInt16BE(outlines.length, 4);
  const loca = Buffer.alloc(offsets.length * (source.locaVersion === 0 ? 2 : 4));
  offsets.forEach((offset, index) => {
    if (source.locaVersion === 0) loca.writeUInt16BE(offset >>> 1, index * 2);
    else loca.writeUInt32BE(offset, index * 4);
  });
  const hmtx = Buffer.alloc(metrics.length * 4);
  metrics.forEach(({ advance, bearing }, index) => {
    hmtx.writeUInt16BE(advance, index * 4);
    hmtx.writeInt16BE(bearing, index * 4 + 2);
  });
  const built: Record<string, Buffer> = {
    head,
    hhea,
    loca,
    maxp,
    glyf: Buffer.concat(outlines),
    hmtx,
  };
  const tables = ORDER.flatMap((tag) => {
    const bytes = built[tag] ?? (source.tables[tag] ? copyOf(source, tag) : undefined);
    return bytes ? [{ tag, bytes }] : [];
  });

  // The directory as fontkit writes it: 'true', no checksums, tables in the order above, unpadded.
  const count = tables.length;
  const power = 2 ** Math.floor(Math.log2(count));
  const header = Buffer.alloc(12 + 16 * count);
  header.write('true', 0, 'latin1');
  header.writeUInt16BE(count, 4);
  header.writeUInt16BE(power * 16, 6);
  header.writeUInt16BE(Math.log2(power), 8);
  header.writeUInt16BE(count * 16 - power * 16, 10);
  let offset = header.length;
  tables.forEach(({ tag, bytes }, index) => {
    const entry = 12 + 16 * index;
    header.write(tag, entry, 'latin1');
    header.writeUInt32BE(0, entry + 4);
    header.writeUInt32BE(offset, entry + 8);
    header.writeUInt32BE(bytes.length, entry + 12);
    offset += bytes.length;
  });
  return Buffer.concat([header, ...tables.map(({ bytes }) => bytes)]);
}
