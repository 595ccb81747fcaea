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
  'unknown-tariff': {
    en: (p) => `${p.detail}; "xmserver tariff list --all" shows every tariff. Nothing was changed.`,
    fr: (p) =>
      `${p.detailFr ?? p.detail} ; « xmserver tariff list --all » montre tous les tarifs. Rien n'a été modifié.`,
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
  'duplicate-centre-code': {
    en: (p) =>
      `Another client already has the centre code "${p.value}" (the start of its NIUs); nothing was changed.`,
    fr: (p) =>
      `Un autre client a déjà le code de centre « ${p.value} » (le début de ses NIU) ; rien n'a été modifié.`,
  },
  'last-supervisor': {
    en: (p) =>
      `${p.login} is the last supervisor: make another user a supervisor first (user set-privilege <login> 3); nothing was changed.`,
    fr: (p) =>
      `${p.login} est le dernier superviseur : faites d'abord d'un autre utilisateur un superviseur (user set-privilege <identifiant> 3) ; rien n'a été modifié.`,
  },
  'client-in-use': {
    en: (p) =>
      `Client ${p.matricule} has been used and cannot be deleted (${p.reasons ?? 'its history must stay'}); nothing was changed. To stop it, suspend it: xmserver client set-status ${p.matricule} 0.`,
    fr: (p) =>
      `Le client ${p.matricule} a servi et ne peut être supprimé (${p.reasonsFr ?? p.reasons ?? 'son historique doit rester'}) ; rien n'a été modifié. Pour l'arrêter, suspendez-le : xmserver client set-status ${p.matricule} 0.`,
  },
  'key-already-certified': {
    en: (p) =>
      `This request's key is already certified for ${p.other} (certificate ${p.serial}): a key belongs to one site only. Ask ${p.matricule} for a request made with its own key; nothing was issued.`,
    fr: (p) =>
      `La clé de cette demande est déjà certifiée pour ${p.other} (certificat ${p.serial}) : une clé n'appartient qu'à un site. Demandez à ${p.matricule} une demande faite avec sa propre clé ; rien n'a été émis.`,
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
  'form-refused': {
    en: (p) => `Form definition refused: ${p.detail}`,
    fr: (p) => `Définition de formulaire refusée : ${p.detailFr ?? p.detail}`,
  },
  'config-invalid': {
    en: (p) => `Invalid configuration: ${p.detail}`,
    fr: (p) => `Configuration invalide : ${p.detailFr ?? p.detail}`,
  },
  'secret-in-config': {
    en: (p) => `${p.where} contains a password; give secrets only in the environment or a file (${p.hint}).`,
    fr: (p) =>
      `${p.where} contient un mot de passe ; les secrets se donnent seulement par l'environnement ou un fichier (${p.hint}).`,
  },
  'not-initialised': {
    en: (p) =>
      p.database === undefined
        ? `The server in ${p.dataDir} is not initialised: run "xmserver init" first.`
        : `No initialised xmserver in the database ${p.database} (${p.from}). ${p.hint}`,
    fr: (p) =>
      p.database === undefined
        ? `Le serveur de ${p.dataDir} n'est pas initialisé : lancez d'abord « xmserver init ».`
        : `Aucun xmserver initialisé dans la base ${p.database} (${p.fromFr ?? p.from}). ${p.hintFr ?? p.hint}`,
  },
  'database-mismatch': {
    en: (p) =>
      p.given === undefined
        ? `The data directory ${p.dataDir} was initialised (${p.path} exists) but names no database, and its embedded database ${p.embedded} is absent: its database was given by --database-url or XM_DATABASE_URL. Give that setting again (init now keeps it in ${p.path}). Nothing was created. To create a new embedded database here all the same, give --database-url ${p.embedded}.`
        : `The data directory ${p.dataDir} already has the database ${p.kept} (${p.keptFrom === 'file' ? `named in ${p.path}` : 'its embedded default'}); ${p.setting} names another, ${p.given}. Nothing was created or changed. To keep using ${p.kept}, leave out ${p.setting}. To move this server to ${p.given}, copy its database there first (pg_dump and pg_restore; an embedded one: stop xmserver and copy the directory), then set "databaseUrl" in ${p.path} to the new place. To run a separate server on ${p.given}, give another data directory (--data-dir).`,
    fr: (p) =>
      p.given === undefined
        ? `Le répertoire de données ${p.dataDir} a été initialisé (${p.path} existe) mais ne nomme aucune base, et sa base intégrée ${p.embedded} est absente : sa base a été donnée par --database-url ou XM_DATABASE_URL. Redonnez ce réglage (init le garde désormais dans ${p.path}). Rien n'a été créé. Pour créer malgré tout une nouvelle base intégrée ici, donnez --database-url ${p.embedded}.`
        : `Le répertoire de données ${p.dataDir} a déjà la base ${p.kept} (${p.keptFrom === 'file' ? `nommée dans ${p.path}` : 'sa base intégrée par défaut'}) ; ${p.setting} en nomme une autre, ${p.given}. Rien n'a été créé ni modifié. Pour continuer avec ${p.kept}, omettez ${p.setting}. Pour déplacer ce serveur vers ${p.given}, copiez-y d'abord sa base (pg_dump et pg_restore ; une base intégrée : arrêtez xmserver et copiez le répertoire), puis mettez le nouvel emplacement dans « databaseUrl » de ${p.path}. Pour faire tourner un serveur distinct sur ${p.given}, donnez un autre répertoire de données (--data-dir).`,
  },
  'database-unavailable': {
    en: (p) => `The database ${p.url} cannot be reached: ${p.detail}`,
    fr: (p) => `La base de données ${p.url} est injoignable : ${p.detail}`,
  },
  'broker-unreachable': {
    en: (p) => `The broker ${p.url} cannot be reached: ${p.detail}`,
    fr: (p) => `Le courtier ${p.url} est injoignable : ${p.detail}`,
  },
  'broker-login-refused': {
    en: (p) =>
      `The broker ${p.url} refused the login of ${p.username}: ${p.reason} (reason code ${p.reasonCode}). Check the user name and password, and that the account exists and is enabled.`,
    fr: (p) =>
      `Le courtier ${p.url} a refusé la connexion de ${p.username} : ${p.reasonFr ?? p.reason} (code ${p.reasonCode}). Vérifiez l'identifiant et le mot de passe, et que le compte existe et est activé.`,
  },
  'broker-subscribe-refused': {
    en: (p) =>
      `The broker ${p.url} let ${p.username} in but refused its subscription to ${p.topic}: ${p.reason} (reason code ${p.reasonCode}). ${p.hint ?? ''}`.trim(),
    fr: (p) =>
      `Le courtier ${p.url} a accepté ${p.username} mais refusé son abonnement à ${p.topic} : ${p.reasonFr ?? p.reason} (code ${p.reasonCode}). ${p.hintFr ?? ''}`.trim(),
  },
  'broker-publish-refused': {
    en: (p) =>
      `The broker ${p.url} refused a message from ${p.username} on ${p.topic}: ${p.reason} (reason code ${p.reasonCode}).`,
    fr: (p) =>
      `Le courtier ${p.url} a refusé un message de ${p.username} sur ${p.topic} : ${p.reasonFr ?? p.reason} (code ${p.reasonCode}).`,
  },
  'broker-not-delivered': {
    en: (p) =>
      `The broker ${p.url} acknowledged the messages on ${p.topic} but did not deliver them back: ${p.detail}. Check that the account may receive on that topic (publishClientReceive).`,
    fr: (p) =>
      `Le courtier ${p.url} a acquitté les messages sur ${p.topic} mais ne les a pas remis : ${p.detail}. Vérifiez que le compte peut recevoir sur ce sujet (publishClientReceive).`,
  },
  'broker-connection-lost': {
    en: (p) => `The broker ${p.url} closed the connection: ${p.detail}`,
    fr: (p) => `Le courtier ${p.url} a fermé la connexion : ${p.detail}`,
  },
  'broker-timeout': {
    en: (p) => `The broker ${p.url} did not answer in time: ${p.detail}`,
    fr: (p) => `Le courtier ${p.url} n'a pas répondu à temps : ${p.detail}`,
  },
  'broker-control-refused': {
    en: (p) => `The dynamic security plugin of ${p.url} refused a command: ${p.detail}`,
    fr: (p) => `Le module de sécurité dynamique de ${p.url} a refusé une commande : ${p.detail}`,
  },
  'port-unavailable': {
    en: (p) =>
      `Cannot listen on ${p.address}: ${p.reason}. Choose another port with ${p.option}${p.setting ? `, ${p.env} or "${p.setting}" in xmserver.json` : ` or ${p.env}`}${p.off ? ` (${p.off})` : ''}.`,
    fr: (p) =>
      `Impossible d'écouter sur ${p.address} : ${p.reasonFr ?? p.reason}. Choisissez un autre port avec ${p.option}${p.setting ? `, ${p.env} ou « ${p.setting} » dans xmserver.json` : ` ou ${p.env}`}${p.offFr ? ` (${p.offFr})` : ''}.`,
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
  'init.dictionaries': {
    en: (p: ErrorParams) =>
      `Dictionary: packs with ${p.name} (${p.fingerprint}); also accepts: ${p.accepted}.`,
    fr: (p: ErrorParams) =>
      `Dictionnaire : empaquette avec ${p.name} (${p.fingerprint}) ; accepte aussi : ${p.accepted}.`,
  },
  'init.unchanged': {
    en: (p: ErrorParams) => `Server in ${p.dataDir} already initialised; nothing to do.`,
    fr: (p: ErrorParams) => `Serveur de ${p.dataDir} déjà initialisé ; rien à faire.`,
  },
  'init.password-not-kept': {
    en: (p: ErrorParams) =>
      `The database's location is kept in ${p.path}, its password is not: give it to later commands in XM_DATABASE_PASSWORD or XM_DATABASE_PASSWORD_FILE.`,
    fr: (p: ErrorParams) =>
      `L'emplacement de la base est gardé dans ${p.path}, pas son mot de passe : donnez-le aux commandes suivantes dans XM_DATABASE_PASSWORD ou XM_DATABASE_PASSWORD_FILE.`,
  },
  'init.broker-password-not-kept': {
    en: (p: ErrorParams) =>
      `The broker's address is kept in ${p.path}, its password is not: give it to later commands in XM_BROKER_PASSWORD or XM_BROKER_PASSWORD_FILE.`,
    fr: (p: ErrorParams) =>
      `L'adresse du broker est gardée dans ${p.path}, pas son mot de passe : donnez-le aux commandes suivantes dans XM_BROKER_PASSWORD ou XM_BROKER_PASSWORD_FILE.`,
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
      `Client ${p.name} registered: matricule ${p.matricule}, centre code ${p.centreCode} (its NIUs begin with ${p.centreCode}-), account ${p.account}, status ${p.status}; its password is "zerokey" until the site changes it.`,
    fr: (p: ErrorParams) =>
      `Client ${p.name} enregistré : matricule ${p.matricule}, code de centre ${p.centreCode} (ses NIU commencent par ${p.centreCode}-), compte ${p.account}, statut ${p.status} ; son mot de passe est « zerokey » jusqu'à ce que le site le change.`,
  },
  'client.updated': {
    en: (p: ErrorParams) => `Client ${p.matricule} updated.`,
    fr: (p: ErrorParams) => `Client ${p.matricule} modifié.`,
  },
  'client.deleted': {
    en: (p: ErrorParams) =>
      `Client ${p.matricule} (${p.name}) and its account deleted; ${p.used} of ${p.limit} clients registered.`,
    fr: (p: ErrorParams) =>
      `Client ${p.matricule} (${p.name}) et son compte supprimés ; ${p.used} clients enregistrés sur ${p.limit}.`,
  },
  'client.services': {
    en: (p: ErrorParams) =>
      `Client ${p.matricule} has the services: ${p.services || 'none beyond its status'}.`,
    fr: (p: ErrorParams) =>
      `Le client ${p.matricule} a les services : ${p.services || 'aucun au-delà de son statut'}.`,
  },
  'client.status': {
    en: (p: ErrorParams) => `Client ${p.matricule} now has status ${p.status}.`,
    fr: (p: ErrorParams) => `Le client ${p.matricule} a maintenant le statut ${p.status}.`,
  },
  'client.credited': {
    en: (p: ErrorParams) => `Credited ${p.amount} to ${p.matricule}; balance ${p.balance}.`,
    fr: (p: ErrorParams) => `${p.amount} crédité(s) sur le compte de ${p.matricule} ; solde ${p.balance}.`,
  },
  'told.yes': {
    en: (p: ErrorParams) =>
      `${p.matricule} was sent its account (${p.bytes} bytes): acts held for its account go again once it allows them.`,
    fr: (p: ErrorParams) =>
      `Le compte a été envoyé à ${p.matricule} (${p.bytes} octets) : les actes retenus pour son compte repartent dès qu'il le permet.`,
  },
  'told.no': {
    en: (p: ErrorParams) =>
      `${p.matricule} could not be told now (${p.why}); it learns its account at its next account query (ecr account).`,
    fr: (p: ErrorParams) =>
      `${p.matricule} n'a pas pu être prévenu maintenant (${p.why}) ; il connaîtra son compte à sa prochaine demande de compte (ecr account).`,
  },
  'told.no-broker': {
    en: () => 'no broker configured: XM_BROKER_URL',
    fr: () => 'aucun broker configuré : XM_BROKER_URL',
  },
  'client.certificates': { en: () => 'Certificates:', fr: () => 'Certificats :' },
  'client.no-certificates': {
    en: () => 'Certificates: none issued or imported.',
    fr: () => 'Certificats : aucun émis ni importé.',
  },
  'tariff.line': {
    en: (p: ErrorParams) =>
      `Tariff ${p.id}: ${p.service} (table ${p.table}, ${p.currency}) ${p.perRow} per row, ${p.perKilobyte} per kilobyte, flat fee ${p.flatFee}, ${p.freeRows} free rows per ${p.period}; from ${p.from}.`,
    fr: (p: ErrorParams) =>
      `Tarif ${p.id} : ${p.service} (table ${p.table}, ${p.currency}) ${p.perRow} par ligne, ${p.perKilobyte} par kilo-octet, forfait ${p.flatFee}, ${p.freeRows} lignes gratuites par ${periodFr(p.period)} ; à partir du ${p.from}.`,
  },
  'tariff.line-until': {
    en: (p: ErrorParams) =>
      `Tariff ${p.id}: ${p.service} (table ${p.table}, ${p.currency}) ${p.perRow} per row, ${p.perKilobyte} per kilobyte, flat fee ${p.flatFee}, ${p.freeRows} free rows per ${p.period}; from ${p.from} until ${p.until}.`,
    fr: (p: ErrorParams) =>
      `Tarif ${p.id} : ${p.service} (table ${p.table}, ${p.currency}) ${p.perRow} par ligne, ${p.perKilobyte} par kilo-octet, forfait ${p.flatFee}, ${p.freeRows} lignes gratuites par ${periodFr(p.period)} ; du ${p.from} au ${p.until}.`,
  },
  'tariff.ended': {
    en: (p: ErrorParams) =>
      `Tariff ${p.id} (${p.service}, table ${p.table}, ${p.currency}) ends at ${p.until}.`,
    fr: (p: ErrorParams) =>
      `Le tarif ${p.id} (${p.service}, table ${p.table}, ${p.currency}) finit le ${p.until}.`,
  },
  'tariff.none': { en: () => 'No tariff.', fr: () => 'Aucun tarif.' },
  'broker.sync.done': {
    en: (p: ErrorParams) => `${p.changed} account(s) changed.`,
    fr: (p: ErrorParams) => `${p.changed} compte(s) modifié(s).`,
  },
  'broker.sync.planned': {
    en: (p: ErrorParams) => `${p.changed} account(s) would change (dry run: nothing done).`,
    fr: (p: ErrorParams) => `${p.changed} compte(s) à modifier (essai : rien n'a été fait).`,
  },
  'broker.follow.saved': {
    en: () => 'broker: the change is saved; run "xmserver broker sync" once the broker is back.',
    fr: () =>
      'courtier : la modification est enregistrée ; lancez « xmserver broker sync » quand le courtier sera de retour.',
  },
  'broker.test.account': {
    en: (p: ErrorParams) => `test account ${p.username}: ${p.action}, disabled again after the test`,
    fr: (p: ErrorParams) => `compte de test ${p.username} : ${p.action}, désactivé de nouveau après le test`,
  },
  'account.created': { en: () => 'created', fr: () => 'créé' },
  'account.updated': { en: () => 'updated', fr: () => 'mis à jour' },
  'account.unchanged': { en: () => 'unchanged', fr: () => 'inchangé' },
  'account.deleted': { en: () => 'deleted', fr: () => 'supprimé' },
  'account.absent': { en: () => 'absent', fr: () => 'absent' },
  'broker.test.connected': {
    en: (p: ErrorParams) => `${p.url} (MQTT ${p.version}): connected in ${p.ms} ms`,
    fr: (p: ErrorParams) => `${p.url} (MQTT ${p.version}) : connecté en ${p.ms} ms`,
  },
  'broker.test.latency': {
    en: (p: ErrorParams) => `round trip: median ${p.median} ms, p95 ${p.p95} ms, max ${p.max} ms`,
    fr: (p: ErrorParams) => `aller-retour : médiane ${p.median} ms, p95 ${p.p95} ms, max ${p.max} ms`,
  },
  'broker.test.throughput': {
    en: (p: ErrorParams) => `throughput: ${p.rate} containers/s of ${p.bytes} bytes (${p.kib} KiB/s)`,
    fr: (p: ErrorParams) => `débit : ${p.rate} conteneurs/s de ${p.bytes} octets (${p.kib} Kio/s)`,
  },
  'console.plain-http': {
    en: (p: ErrorParams) =>
      `Warning: the console is served over plain http on ${p.host}: operators' passwords cross the network unencrypted. Give --tls-cert and --tls-key, or put it behind an https reverse proxy (--trust-proxy).`,
    fr: (p: ErrorParams) =>
      `Attention : la console est servie en http simple sur ${p.host} : les mots de passe des opérateurs traversent le réseau en clair. Donnez --tls-cert et --tls-key, ou placez-la derrière un proxy inverse https (--trust-proxy).`,
  },
  'prompt.login': { en: () => 'Login: ', fr: () => 'Identifiant : ' },
  'prompt.password': { en: () => 'Password: ', fr: () => 'Mot de passe : ' },
  'prompt.new-password': { en: () => 'New password: ', fr: () => 'Nouveau mot de passe : ' },
  'prompt.confirm': { en: () => 'Again: ', fr: () => 'Confirmation : ' },
} as const;

export type TextKey = keyof typeof texts;

function periodFr(period: unknown): string {
  return period === 'day' ? 'jour' : period === 'year' ? 'an' : 'mois';
}

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
