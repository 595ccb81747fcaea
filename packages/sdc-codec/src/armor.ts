import { fail, type SdcResult } from './errors.js';

export type Armor = 'binary' | 'text';

const BEGIN = '-----BEGIN SDC-----';
const END = '-----END SDC-----';
/** Labels accepted on input: ours, and what `openssl cms -outform PEM` writes. */
const LABELS = ['SDC', 'CMS', 'PKCS7'];

/** Text armour: base64 in 64-character lines between SDC markers, for e-mail, files and copy-paste. */
export function armor(der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [BEGIN];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  lines.push(END, '');
  return lines.join('\n');
}

const BASE64_BODY = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** DER from binary or text armour; text is recognised by its BEGIN line. Never throws. */
export function dearmor(
  input: Uint8Array | string,
  maxBytes = Number.POSITIVE_INFINITY,
): SdcResult<Uint8Array> {
  if (input.length > maxBytes * 1.4 + 64) return fail('too-large', `more than ${maxBytes} bytes`);
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else if (input.length > 10 && input[0] === 0x2d && input[1] === 0x2d)
    text = Buffer.from(input).toString('latin1');
  if (text === undefined) {
    const bytes = input as Uint8Array;
    if (bytes.length > maxBytes) return fail('too-large', `more than ${maxBytes} bytes`);
    return { ok: true, value: bytes };
  }
  const match = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!match || !LABELS.includes(match[1] as string)) return fail('malformed', 'no SDC armour found');
  const body = match[2] as string;
  if (!BASE64_BODY.test(body)) return fail('malformed', 'armour is not base64');
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (der.length > maxBytes) return fail('too-large', `more than ${maxBytes} bytes`);
  return { ok: true, value: new Uint8Array(der.buffer, der.byteOffset, der.byteLength) };
}
