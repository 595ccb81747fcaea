import type { ErrorParams, XmServerErrorCode } from './errors.js';

export type Language = 'en' | 'fr';
export const languages: readonly Language[] = ['en', 'fr'];

type Template = (p: ErrorParams) => string;
type Catalogue<K extends string> = { readonly [Key in K]: { readonly en: Template; readonly fr: Template } };

const errors: Catalogue<XmServerErrorCode> = {
  'invalid-argument': {
    en: (p) => `Invalid ${p.name}: ${p.value}. ${p.hint ?? ''}`.trim(),
    fr: (p) => `${p.name} invalide : ${p.value}. ${p.hintFr ?? ''}`.trim(),
  },
  'invalid-status': {
    en: (p) => `Invalid client status "${p.value}": expected 0 (suspended), 1, 2 or 3 (all services).`,
    fr: (p) =>
      `Statut de client « ${p.value} » invalide : 0 (suspendu), 1, 2 ou 3 (tous les services) attendu.`,
  },
  'invalid-privilege': {
    en: (p) => `Invalid privilege "${p.value}": expected 1, 2 or 3 (0 suspends: use "user suspend").`,
    fr: (p) =>
      `Privilège « ${p.value} » invalide : 1, 2 ou 3 attendu (0 suspend : utilisez « user suspend »).`,
  },
  'invalid-amount': {
    en: (p) =>
      `Invalid amount "${p.value}": expected a positive whole number, in the account's currency units.`,
    fr: (p) =>
      `Montant « ${p.value} » invalide : un nombre entier positif, en unités de la monnaie du compte, est attendu.`,
  },
  'billing-refused': {
    en: (p) => `Billing refused it: ${p.detail}`,
    fr: (p) => `La facturation l'a refusé : ${p.detailFr ?? p.detail}`,
  },
  'invalid-matricule': {
    en: (p) => `Invalid matricule "${p.value}": 1-32 letters, digits, dots, dashes or underscores.`,
    fr: (p) => `Matricule « ${p.value} » invalide : 1 à 32 lettres, chiffres, points, tirets ou soulignés.`,
  },
  'unknown-user': {
    en: (p) => `No server user "${p.login}".`,
    fr: (p) => `Aucun utilisateur « ${p.login} » sur ce serveur.`,
  },
  'unknown-client': {
    en: (p) => `No client with matricule "${p.matricule}".`,
    fr: (p) => `Aucun client de matricule « ${p.matricule} ».`,
  },
  'unknown-certificate': {
    en: (p) => `No certificate ${p.serial}.`,
    fr: (p) => `Aucun certificat ${p.serial}.`,
  },
  'invalid-certificate': {
    en: (p) => `${p.what} refused: ${p.detail}`,
    fr: (p) => `${p.what} refusé : ${p.detailFr ?? p.detail}`,
  },
  'key-unavailable': {
    en: (p) => `The server's private keys cannot be opened: ${p.detail}`,
    fr: (p) => `Les clés privées du serveur ne peuvent être ouvertes : ${p.detailFr ?? p.detail}`,
  },
  'duplicate-user': {
    en: (p) => `A server user "${p.login}" already exists; nothing was changed.`,
    fr: (p) => `Un utilisateur « ${p.login} » existe déjà ; rien n'a été modifié.`,
  },
  'duplicate-client': {
    en: (p) => `A client with matricule "${p.matricule}" already exists; nothing was changed.`,
    fr: (p) => `Un client de matricule « ${p.matricule} » existe déjà ; rien n'a été modifié.`,
  },
  'password-required': {
    en: (p) =>
      `A password is needed: type it at the prompt, or give it in ${p.variable ?? 'XM_NEW_PASSWORD'} or a file (${p.file ?? '--password-file'}), never as an argument.`,
    fr: (p) =>
      `Un mot de passe est nécessaire : saisissez-le à l'invite, ou donnez-le dans ${p.variable ?? 'XM_NEW_PASSWORD'} ou un fichier (${p.file ?? '--password-file'}), jamais en argument.`,
  },
  'password-too-short': {
    en: (p) => `The password must have at least ${p.min} characters.`,
    fr: (p) => `Le mot de passe doit comporter au moins ${p.min} caractères.`,
  },
  'passwords-differ': {
    en: () => 'The two passwords typed differ.',
    fr: () => 'Les deux mots de passe saisis diffèrent.',
  },
  'password-unchanged': {
    en: () => 'The new password must differ from the current one; nothing was changed.',
    fr: () => "Le nouveau mot de passe doit différer de l'actuel ; rien n'a été modifié.",
  },
  'config-invalid': {
    en: (p) => `Invalid configuration: ${p.detail}`,
    fr: (p) => `Configuration invalide : ${p.detail}`,
  },
  'secret-in-config': {
    en: (p) => `${p.where} contains a password; give secrets only in the environment or a file (${p.hint}).`,
    fr: (p) =>
      `${p.where} contient un mot de passe ; les secrets se donnent seulement par l'environnement ou un fichier (${p.hint}).`,
  },
  'not-initialised': {
    en: (p) => `The server in ${p.dataDir} is not initialised: run "xmserver init" first.`,
    fr: (p) => `Le serveur de ${p.dataDir} n'est pas initialisé : lancez d'abord « xmserver init ».`,
  },
  'database-unavailable': {
    en: (p) => `The database ${p.url} cannot be reached: ${p.detail}`,
    fr: (p) => `La base de données ${p.url} est injoignable : ${p.detail}`,
  },
  'broker-unreachable': {
    en: (p) => `The broker ${p.url} cannot be reached: ${p.detail}`,
    fr: (p) => `Le courtier ${p.url} est injoignable : ${p.detail}`,
  },
  'operator-suspended': {
    en: (p) =>
      `Operator "${p.login}" is suspended (privilege 0) and may do nothing; a supervisor restores it with "xmserver user set-privilege".`,
    fr: (p) =>
      `L'opérateur « ${p.login} » est suspendu (privilège 0) et ne peut rien faire ; un superviseur le rétablit par « xmserver user set-privilege ».`,
  },
  forbidden: {
    en: (p) =>
      `${p.login} (privilege ${p.privilege}) may not run "${p.command}": it needs privilege ${p.required} (${p.role}). The refusal is in the audit log.`,
    fr: (p) =>
      `${p.login} (privilège ${p.privilege}) ne peut pas lancer « ${p.command} » : il faut le privilège ${p.required} (${p.roleFr ?? p.role}). Le refus est consigné au journal d'audit.`,
  },
  'not-logged-in': {
    en: (p) =>
      `${p.reason === 'expired' ? 'Your session has ended' : 'Not logged in'}: run "xmserver login" (a terminal asks for the password), or give a script XM_USER and XM_PASSWORD or XM_PASSWORD_FILE.`,
    fr: (p) =>
      `${p.reason === 'expired' ? 'Votre session a pris fin' : 'Non connecté'} : lancez « xmserver login » (un terminal demande le mot de passe), ou donnez à un script XM_USER et XM_PASSWORD ou XM_PASSWORD_FILE.`,
  },
  'authentication-failed': {
    en: () => 'Unknown user or wrong password.',
    fr: () => 'Utilisateur inconnu ou mot de passe incorrect.',
  },
  'account-locked': {
    en: (p) =>
      `Account "${p.login}" is locked after repeated wrong passwords until ${p.until}; a supervisor can lift the lock at once with "xmserver user unlock ${p.login}".`,
    fr: (p) =>
      `Le compte « ${p.login} » est verrouillé après des mots de passe erronés répétés jusqu'à ${p.until} ; un superviseur peut le déverrouiller aussitôt par « xmserver user unlock ${p.login} ».`,
  },
  'password-change-required': {
    en: (p) =>
      `${p.login} must choose a new password first: run "xmserver login" (the new password at the prompt, in XM_NEW_PASSWORD or in --new-password-file).`,
    fr: (p) =>
      `${p.login} doit d'abord choisir un nouveau mot de passe : lancez « xmserver login » (le nouveau mot de passe à l'invite, dans XM_NEW_PASSWORD ou dans --new-password-file).`,
  },
  'unavailable-feature': {
    en: (p) => `${p.feature} is not available in this build: ${p.detail}`,
    fr: (p) => `${p.feature} n'est pas disponible dans cette version : ${p.detail}`,
  },
  stopping: {
    en: () => 'The service is stopping: the container is left to the broker or the site to deliver again.',
    fr: () => "Le service s'arrête : le conteneur sera remis de nouveau par le courtier ou le site.",
  },
  internal: {
    en: (p) => `Internal error: ${p.detail}`,
    fr: (p) => `Erreur interne : ${p.detail}`,
  },
};

/** The operator-facing message of an error code in a language. */
export function describeError(code: XmServerErrorCode, params: ErrorParams, language: Language): string {
  return errors[code][language](params);
}

const texts = {
  'init.done': {
    en: (p: ErrorParams) => `Server initialised in ${p.dataDir} (database ${p.database}).`,
    fr: (p: ErrorParams) => `Serveur initialisé dans ${p.dataDir} (base ${p.database}).`,
  },
  'init.unchanged': {
    en: (p: ErrorParams) => `Server in ${p.dataDir} already initialised; nothing to do.`,
    fr: (p: ErrorParams) => `Serveur de ${p.dataDir} déjà initialisé ; rien à faire.`,
  },
  'user.added': {
    en: (p: ErrorParams) => `User ${p.login} added with privilege ${p.privilege}.`,
    fr: (p: ErrorParams) => `Utilisateur ${p.login} ajouté avec le privilège ${p.privilege}.`,
  },
  'user.privilege': {
    en: (p: ErrorParams) => `User ${p.login} now has privilege ${p.privilege}.`,
    fr: (p: ErrorParams) => `L'utilisateur ${p.login} a maintenant le privilège ${p.privilege}.`,
  },
  'user.password': {
    en: (p: ErrorParams) => `Password of ${p.login} changed.`,
    fr: (p: ErrorParams) => `Mot de passe de ${p.login} modifié.`,
  },
  'user.unlocked': {
    en: (p: ErrorParams) => `User ${p.login} unlocked: the next login counts from zero.`,
    fr: (p: ErrorParams) => `Utilisateur ${p.login} déverrouillé : la prochaine connexion repart de zéro.`,
  },
  'init.supervisor': {
    en: (p: ErrorParams) =>
      `First supervisor ${p.login} created; its password must be changed at the first "xmserver login --user ${p.login}".`,
    fr: (p: ErrorParams) =>
      `Premier superviseur ${p.login} créé ; son mot de passe devra être changé à la première « xmserver login --user ${p.login} ».`,
  },
  'login.done': {
    en: (p: ErrorParams) =>
      `Logged in as ${p.login} (privilege ${p.privilege}) until ${p.until}; the session closes after ${p.idle} minutes without a command.`,
    fr: (p: ErrorParams) =>
      `Connecté en tant que ${p.login} (privilège ${p.privilege}) jusqu'à ${p.until} ; la session se ferme après ${p.idle} minutes sans commande.`,
  },
  'logout.done': {
    en: (p: ErrorParams) => `Logged out: the session of ${p.login} on this server is closed.`,
    fr: (p: ErrorParams) => `Déconnecté : la session de ${p.login} sur ce serveur est fermée.`,
  },
  'logout.none': {
    en: () => 'No session open on this server.',
    fr: () => 'Aucune session ouverte sur ce serveur.',
  },
  'whoami.session': {
    en: (p: ErrorParams) =>
      `${p.login} (${p.role}, privilege ${p.privilege}); session until ${p.until}, closed after ${p.idle} minutes without a command.`,
    fr: (p: ErrorParams) =>
      `${p.login} (${p.roleFr}, privilège ${p.privilege}) ; session jusqu'à ${p.until}, fermée après ${p.idle} minutes sans commande.`,
  },
  'whoami.password': {
    en: (p: ErrorParams) => `${p.login} (${p.role}, privilege ${p.privilege}); no session: by password.`,
    fr: (p: ErrorParams) =>
      `${p.login} (${p.roleFr}, privilège ${p.privilege}) ; sans session : par mot de passe.`,
  },
  'user.suspended': {
    en: (p: ErrorParams) => `User ${p.login} suspended.`,
    fr: (p: ErrorParams) => `Utilisateur ${p.login} suspendu.`,
  },
  'client.added': {
    en: (p: ErrorParams) =>
      `Client ${p.name} registered: matricule ${p.matricule}, account ${p.account}, status ${p.status}; its password is "zerokey" until the site changes it.`,
    fr: (p: ErrorParams) =>
      `Client ${p.name} enregistré : matricule ${p.matricule}, compte ${p.account}, statut ${p.status} ; son mot de passe est « zerokey » jusqu'à ce que le site le change.`,
  },
  'client.updated': {
    en: (p: ErrorParams) => `Client ${p.matricule} updated.`,
    fr: (p: ErrorParams) => `Client ${p.matricule} modifié.`,
  },
  'client.status': {
    en: (p: ErrorParams) => `Client ${p.matricule} now has status ${p.status}.`,
    fr: (p: ErrorParams) => `Le client ${p.matricule} a maintenant le statut ${p.status}.`,
  },
  'prompt.login': { en: () => 'Login: ', fr: () => 'Identifiant : ' },
  'prompt.password': { en: () => 'Password: ', fr: () => 'Mot de passe : ' },
  'prompt.new-password': { en: () => 'New password: ', fr: () => 'Nouveau mot de passe : ' },
  'prompt.confirm': { en: () => 'Again: ', fr: () => 'Confirmation : ' },
} as const;

export type TextKey = keyof typeof texts;

/** A line of command output in the operator's language. */
export function text(key: TextKey, language: Language, params: ErrorParams = {}): string {
  return texts[key][language](params);
}

/** `--lang`, else `XM_LANG`, else French when the locale says so, else English. */
export function pickLanguage(flag: string | undefined, env: NodeJS.ProcessEnv): Language {
  const candidate = flag ?? env.XM_LANG;
  if (candidate === 'en' || candidate === 'fr') return candidate;
  const locale = env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
