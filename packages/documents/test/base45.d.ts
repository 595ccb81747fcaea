// The `base45` package ships no types; the interop test uses these two functions.
declare module 'base45' {
  export function encode(bytes: Uint8Array): string;
  export function decode(text: string): Buffer;
  const base45: { encode: typeof encode; decode: typeof decode };
  export default base45;
}
