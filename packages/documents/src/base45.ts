/** Base45 (RFC 9285): the QR alphanumeric alphabet, so a seal fills a QR code in its densest text mode. */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const VALUES = new Map([...ALPHABET].map((character, index) => [character, index]));

export function encodeBase45(bytes: Uint8Array): string {
  let out = '';
  for (let index = 0; index + 1 < bytes.length; index += 2) {
    let value = bytes[index]! * 256 + bytes[index + 1]!;
    for (let digit = 0; digit < 3; digit += 1) {
      out += ALPHABET[value % 45];
      value = Math.floor(value / 45);
    }
  }
  if (bytes.length % 2 === 1) {
    const value = bytes[bytes.length - 1]!;
    out += ALPHABET[value % 45]! + ALPHABET[Math.floor(value / 45)]!;
  }
  return out;
}

/** The bytes of a Base45 text, or null when it is not Base45 (a wrong character, length or value). */
export function decodeBase45(text: string): Uint8Array | null {
  if (text.length % 3 === 1) return null;
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let written = 0;
  for (let index = 0; index < text.length; index += 3) {
    const chunk = text.slice(index, index + 3);
    let value = 0;
    for (let digit = chunk.length - 1; digit >= 0; digit -= 1) {
      const found = VALUES.get(chunk[digit]!);
      if (found === undefined) return null;
      value = value * 45 + found;
    }
    if (chunk.length === 3) {
      if (value > 0xffff) return null;
      out[written++] = value >> 8;
      out[written++] = value & 0xff;
    } else {
      if (value > 0xff) return null;
      out[written++] = value;
    }
  }
  return out;
}
