/** Verifying a seal offline against a trust list: VALID, or INVALID with a stable reason code. */
import type { SealContent } from './claims.js';
import { sign1KeyIdentifier, verifySign1 } from './cose.js';
import { openSeal } from './seal.js';
import { hex, type TrustedSealer, type TrustList } from './trust-list.js';

export const SEAL_INVALID_REASONS = [
  'not-our-scheme',
  'damaged',
  'trust-list-expired',
  'unknown-signer',
  'revoked',
  'bad-signature',
  'signer-expired',
] as const;

export type SealInvalidReason = (typeof SEAL_INVALID_REASONS)[number];

export type SealVerification =
  | {
      readonly status: 'VALID';
      readonly content: SealContent;
      readonly signer: { readonly label: string; readonly subject: string; readonly keyIdentifier: string };
    }
  | {
      readonly status: 'INVALID';
      readonly reason: SealInvalidReason;
      /** What the seal says, when it could be read: never to be trusted, shown to explain. */
      readonly content?: SealContent;
    };

const REASON_TEXT: Readonly<
  Record<SealInvalidReason | 'valid', { readonly en: string; readonly fr: string }>
> = {
  valid: {
    en: 'Valid: the seal is signed by a trusted signer; compare the fields with the paper.',
    fr: 'Valide : le sceau est signé par un signataire de confiance ; comparez les champs avec le papier.',
  },
  'not-our-scheme': {
    en: 'Not a document seal of this platform (another QR code).',
    fr: "Ce n'est pas un sceau de document de cette plateforme (autre code QR).",
  },
  damaged: {
    en: 'The seal is damaged or incomplete: scan it again.',
    fr: 'Le sceau est endommagé ou incomplet : scannez-le de nouveau.',
  },
  'trust-list-expired': {
    en: 'The trust list has expired: load a newer one.',
    fr: 'La liste de confiance a expiré : chargez-en une plus récente.',
  },
  'unknown-signer': {
    en: 'The signer is not in the trust list.',
    fr: "Le signataire n'est pas dans la liste de confiance.",
  },
  revoked: { en: "The signer's certificate is revoked.", fr: 'Le certificat du signataire est révoqué.' },
  'bad-signature': {
    en: 'The signature does not match the content: the document was altered.',
    fr: 'La signature ne correspond pas au contenu : le document a été modifié.',
  },
  'signer-expired': {
    en: "The document is dated outside the signer certificate's validity.",
    fr: 'Le document est daté hors de la validité du certificat du signataire.',
  },
};

export function describeSealVerification(result: SealVerification, lang: 'en' | 'fr' = 'en'): string {
  return REASON_TEXT[result.status === 'VALID' ? 'valid' : result.reason][lang];
}

export interface VerifySealOptions {
  /** When the check happens (trust list expiry); default now. */
  readonly at?: Date;
}

function invalid(reason: SealInvalidReason, content?: SealContent): SealVerification {
  return content ? { status: 'INVALID', reason, content } : { status: 'INVALID', reason };
}

/** Never throws: hostile text gives INVALID with a reason. */
export function verifySeal(
  text: string,
  trustList: TrustList,
  options: VerifySealOptions = {},
): SealVerification {
  const opened = openSeal(text);
  if (!opened.ok) return invalid(opened.reason);
  const { message, content } = opened.seal;
  const at = options.at ?? new Date();
  if (at.getTime() > trustList.content.expiresAt.getTime()) return invalid('trust-list-expired', content);
  const kid = sign1KeyIdentifier(message);
  const sealer: TrustedSealer | undefined = kid ? trustList.sealers.get(hex(kid)) : undefined;
  if (!kid || !sealer)
    return invalid(kid && trustList.revoked.has(hex(kid)) ? 'revoked' : 'unknown-signer', content);
  if (trustList.revoked.has(hex(kid))) return invalid('revoked', content);
  if (!verifySign1(message, sealer.publicKey)) return invalid('bad-signature', content);
  const issued = content.issuedAt.getTime();
  if (issued < sealer.notBefore.getTime() || issued > sealer.notAfter.getTime()) {
    return invalid('signer-expired', content);
  }
  return {
    status: 'VALID',
    content,
    signer: { label: sealer.label, subject: sealer.subject, keyIdentifier: hex(kid) },
  };
}
