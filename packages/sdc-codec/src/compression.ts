import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateRawSync,
  inflateRawSync,
} from 'node:zlib';
import { SdcError } from './errors.js';

/** How the body travels: the header's compression field. */
export const COMPRESSION = { none: 0, deflate: 1, brotli: 2 } as const;
export type Compression = keyof typeof COMPRESSION;

/**
 * Compresses with the chosen method, or leaves the body as it is when that is smaller.
 * Brotli by default: on these small bodies it beats deflate by 10-20% (measured in bench).
 */
export function compressBody(
  plain: Uint8Array,
  method: Compression,
): { compression: number; body: Uint8Array } {
  if (method === 'none' || plain.length < 32) return { compression: COMPRESSION.none, body: plain };
  const squeezed =
    method === 'brotli'
      ? brotliCompressSync(plain, {
          params: {
            // On a single act, quality 9 is within 1% of 11 at 30x the speed; on 50 acts 11 saves 8%.
            [constants.BROTLI_PARAM_QUALITY]: plain.length < 2048 ? 9 : 11,
            [constants.BROTLI_PARAM_LGWIN]: Math.min(
              24,
              Math.max(16, Math.ceil(Math.log2(plain.length + 1))),
            ),
            [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
          },
        })
      : deflateRawSync(plain, { level: 9 });
  if (squeezed.length >= plain.length) return { compression: COMPRESSION.none, body: plain };
  return { compression: COMPRESSION[method], body: squeezed };
}

const MIN_CHUNK_BYTES = 1024;
const MAX_CHUNK_BYTES = 64 * 1024;

/** Decompresses with a hard output limit: the decompression-bomb guard. Throws SdcError. */
export function decompressBody(body: Uint8Array, compression: number, maxBytes: number): Uint8Array {
  if (compression === COMPRESSION.none) {
    if (body.length > maxBytes) throw new SdcError('decompression-limit', `more than ${maxBytes} bytes`);
    return body;
  }
  if (compression !== COMPRESSION.deflate && compression !== COMPRESSION.brotli) {
    throw new SdcError('unsupported-version', `unknown compression ${compression}`);
  }
  // The output buffer sized to the body (about 4x, at least 1 KiB) instead of zlib's 16 KiB default:
  // on a single row, allocating that buffer cost more than the decompression itself (14 -> 6 us).
  // The limit is enforced the same way whatever the chunk size.
  const options = {
    maxOutputLength: maxBytes,
    chunkSize: Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, body.length * 4)),
  };
  try {
    return compression === COMPRESSION.deflate
      ? inflateRawSync(body, options)
      : brotliDecompressSync(body, options);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SdcError('decompression-limit', `more than ${maxBytes} bytes`, { cause: error });
    }
    throw new SdcError('malformed', 'compressed body is corrupt', { cause: error });
  }
}
