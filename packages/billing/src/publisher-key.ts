// The publisher's Ed25519 public key: licence keys signed by its private key (kept by the publisher,
// never in this repository) are accepted offline. Replace it with `tools/sign-licence.ts keygen`'s output
// when the publisher's key changes.
export const publisherPublicKey = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAXwEUTpi5x/kM+C9ngzfpkHRVukTidpWqDjfx8+VoS80=
-----END PUBLIC KEY-----
`;
