import { billingServices } from '@xmcomm/schema';

/** What a client may ask of the server. `sds-export` and `sds-import` are the Secure Data Services. */
export type Service = (typeof billingServices)[number];

export const services: readonly Service[] = billingServices;

/**
 * Why a chargeable request was refused. These codes travel back to the site in its receipt, so they
 * are part of the protocol: never rename one.
 */
export const refusalReasons = [
  'suspended',
  'service-not-allowed',
  'insufficient-credit',
  'quota-exceeded',
  'unknown-client',
] as const;

export type RefusalReason = (typeof refusalReasons)[number];

export type GateResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'suspended' | 'service-not-allowed' };

const allowed: Readonly<Record<0 | 1 | 2 | 3, readonly Service[]>> = {
  0: [],
  1: ['account-query', 'profile-query'],
  2: ['account-query', 'profile-query', 'messages'],
  3: billingServices,
};

/**
 * May a client with this status use this service now? The one answer every package and app asks:
 * 0 suspended, nothing; 1 account and profile queries only; 2 everything but the Secure Data Services;
 * 3 everything. A status outside 0-3 is treated as suspended (fail closed).
 */
export function mayUse(clientStatus: number, service: Service): GateResult {
  if (clientStatus === 1 || clientStatus === 2 || clientStatus === 3) {
    return allowed[clientStatus].includes(service)
      ? { ok: true }
      : { ok: false, reason: 'service-not-allowed' };
  }
  return { ok: false, reason: 'suspended' };
}

/** Is this string one of the services (for input from a CLI or a container)? */
export function isService(value: unknown): value is Service {
  return typeof value === 'string' && (billingServices as readonly string[]).includes(value);
}

const refusalText: Record<RefusalReason, { readonly en: string; readonly fr: string }> = {
  suspended: { en: 'The client is suspended.', fr: 'Le client est suspendu.' },
  'service-not-allowed': {
    en: "The client's status does not allow this service.",
    fr: "Le statut du client n'autorise pas ce service.",
  },
  'insufficient-credit': {
    en: 'Not enough credit: the rows stay queued at the site until the account is credited.',
    fr: "Crédit insuffisant : les fiches restent en attente sur le site jusqu'au crédit du compte.",
  },
  'quota-exceeded': {
    en: 'The quota for this period is used up: the rows stay queued at the site until the next period or a higher quota.',
    fr: "Le quota de la période est épuisé : les fiches restent en attente sur le site jusqu'à la période suivante ou un quota plus élevé.",
  },
  'unknown-client': { en: 'The client is not registered.', fr: "Le client n'est pas enregistré." },
};

/** The text of a refusal reason for a receipt or a screen, in English or French. */
export function describeRefusal(reason: RefusalReason, lang: 'en' | 'fr' = 'en'): string {
  return refusalText[reason][lang];
}
