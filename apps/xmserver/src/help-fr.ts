import type { FrenchTexts } from '@xmcomm/cli-kit';

const broker =
  'le broker (par défaut : celui de la configuration ; compte dans XM_BROKER_USERNAME, XM_BROKER_PASSWORD[_FILE])';
const mqtt3 = 'MQTT 3.1.1 au lieu de 5 (le broker embarqué)';
const centreCode =
  "le code par lequel commence chaque NIU du site, suivi d'un tiret (ECR : le code national du centre, 6 chiffres)";
const passwordFile = 'lire le mot de passe sur la première ligne de ce fichier';
const siteFields = {
  '--name': 'le nom du site',
  '--centre-code': centreCode,
  '--domain': 'le domaine de service (par exemple civil-registration)',
  '--region': 'la région',
  '--locality': 'la ville ou la localité',
  '--contact': 'téléphone ou adresse électronique du site',
};

/**
 * The French help of `xmserver`, by command path; the English is in the commands' code. A command,
 * option or argument added without its French here fails help-fr.test.ts.
 */
export const helpFr: FrenchTexts = {
  xmserver: {
    description:
      'serveur central XMcomm : clients, certificats, comptes, et le service qui centralise leurs données',
    options: {
      '--data-dir': 'répertoire des données, avec xmserver.json (par défaut $XM_DATA_DIR ou ./xmserver-data)',
      '--json': 'afficher les résultats en JSON, un document par ligne',
      '--lang': 'langue des messages (par défaut $XM_LANG, puis la locale)',
      '--database-url':
        'base du serveur : postgres://… (mot de passe dans XM_DATABASE_PASSWORD) ou un répertoire embarqué',
      '--broker-url': 'le broker MQTT, par exemple mqtts://broker:8883',
      '--server-name': 'le nom de ce serveur dans les topics',
    },
  },
  'xmserver init': {
    description:
      "créer ou migrer les bases, créer l'AC nationale et le certificat du serveur (ou importer l'AC), écrire la configuration ; la relancer ne change rien",
    options: {
      '--import-ca-cert': "utiliser ce certificat d'AC au lieu d'en créer un (avec --import-ca-key)",
      '--import-ca-key': "la clé privée de l'AC (sa phrase de passe dans XM_IMPORT_KEY_PASSPHRASE[_FILE])",
      '--supervisor': "l'identifiant du premier superviseur, sur un serveur neuf",
      '--password-file':
        'le mot de passe initial du premier superviseur, première ligne de ce fichier (sinon XM_NEW_PASSWORD ou la saisie)',
      '--dictionary':
        'le fichier de dictionnaire du déploiement (sdc dictionary build) avec lequel le serveur empaquette les lignes ; enregistré dans la base (par défaut : la liste de démonstration du Cameroun)',
      '--accept-dictionary':
        'un fichier de dictionnaire aussi accepté des sites, par exemple le précédent pendant un déploiement (répétable ; remplace ceux enregistrés)',
    },
  },
  'xmserver login': {
    description:
      "ouvrir une session sur ce serveur : le mot de passe à la saisie ou dans XM_PASSWORD[_FILE] ; d'abord un nouveau s'il doit changer (XM_NEW_PASSWORD, --new-password-file ou la saisie)",
    options: {
      '--user': 'qui se connecte (par défaut $XM_USER, sinon demandé)',
      '--new-password-file': "le nouveau mot de passe, s'il en faut un : première ligne de ce fichier",
      '--change-password': "choisir maintenant un nouveau mot de passe, même si l'actuel n'a pas à changer",
    },
  },
  'xmserver logout': { description: 'fermer la session sur ce serveur et supprimer son fichier' },
  'xmserver whoami': {
    description: "sous quelle identité cette commande s'exécute, avec quel privilège, et jusqu'à quand",
  },
  'xmserver user': { description: 'les utilisateurs du serveur (privilège 1 à 3 ; 0 : suspendu)' },
  'xmserver user add': {
    description:
      'ajouter un utilisateur du serveur ; le mot de passe vient de la saisie, de XM_PASSWORD ou de --password-file',
    arguments: { login: 'identifiant' },
    options: {
      '--privilege': 'privilège 1, 2 ou 3 (3 : superviseur)',
      '--name': 'nom complet',
      '--password-file': passwordFile,
      '--temporary': "l'utilisateur devra le changer à sa première connexion",
    },
  },
  'xmserver user list': { description: 'lister les utilisateurs du serveur' },
  'xmserver user show': { description: 'afficher un utilisateur du serveur' },
  'xmserver user set-privilege': { description: "changer le privilège d'un utilisateur (1 à 3)" },
  'xmserver user passwd': {
    description: "définir le mot de passe d'un utilisateur (saisie, XM_PASSWORD ou --password-file)",
    options: {
      '--password-file': passwordFile,
      '--temporary': "l'utilisateur devra le changer à sa prochaine utilisation",
    },
  },
  'xmserver user suspend': {
    description: 'suspendre un utilisateur (privilège 0) ; set-privilege le rétablit',
  },
  'xmserver user unlock': {
    description:
      'lever le verrou que des mots de passe erronés répétés ont mis sur un utilisateur, et remettre le compte à zéro',
  },
  'xmserver client': { description: 'les sites clients : enregistrement, statut, certificats, comptes' },
  'xmserver client add': {
    description:
      "enregistrer un client : lui donne son matricule et son code de centre (les prochains libres, sauf indication) et ouvre son compte ; son mot de passe est «zerokey» tant que le site ne l'a pas changé",
    options: {
      ...siteFields,
      '--matricule': 'matricule à utiliser au lieu du prochain attribué',
      '--status': 'statut 0 à 3 (3 : tous les services)',
    },
  },
  'xmserver client list': {
    description: 'lister les clients',
    options: { '--status': 'seulement les clients de ce statut' },
  },
  'xmserver client show': { description: 'afficher un client' },
  'xmserver client update': { description: "modifier les informations d'un client", options: siteFields },
  'xmserver client services': {
    description:
      'les services accordés à un client au-delà de son statut (juris : les tables du casier judiciaire, pour un client au statut 3)',
    options: {
      '--grant': 'accorder ce service (juris)',
      '--revoke': 'retirer ce service',
      '--reason': "pourquoi, pour le journal d'audit (500 caractères au plus)",
    },
  },
  'xmserver client set-status': {
    description:
      "fixer le statut d'un client : 0 suspendu, 1 requêtes de compte et de profil, 2 tous les services sauf les données, 3 tous les services",
    options: { '--reason': "pourquoi, pour le journal d'audit (500 caractères au plus)" },
  },
  'xmserver console': {
    description:
      "servir la console web des opérateurs (mêmes contrôles et même journal d'audit que la ligne de commande)",
    options: {
      '--host': "l'adresse d'écoute (par défaut 127.0.0.1 : seulement cette machine)",
      '--port': 'le port (par défaut 8443 avec TLS, 8080 sans)',
      '--tls-cert': 'certificat TLS du serveur, PEM (avec --tls-key)',
      '--tls-key': 'clé privée TLS, PEM (avec --tls-cert)',
      '--trust-proxy': 'derrière un proxy inverse : croire ses en-têtes X-Forwarded-For et X-Forwarded-Proto',
      '--low-credit': 'un solde sous ce montant est « faible » (par défaut 5000)',
    },
  },
  'xmserver client credit': {
    description: "créditer (recharger) le compte d'un client",
    arguments: { amount: 'en unités monétaires entières, par exemple 50000' },
    options: {
      '--reference': 'numéro du reçu de paiement, du chèque ou du virement',
      '--reason': 'affiché sur le relevé',
    },
  },
  'xmserver client statement': {
    description: "le relevé d'un client : chaque mouvement de son compte sur une période (CSV avec --csv)",
    options: {
      '--from': 'premier jour, AAAA-MM-JJ (par défaut : il y a 30 jours)',
      '--to': "dernier jour inclus, AAAA-MM-JJ (par défaut : aujourd'hui)",
      '--csv': 'CSV, une ligne par mouvement',
    },
  },
  'xmserver client bill': {
    description:
      "la facture d'un client pour une période : consommation, forfaits et remboursements, par service et par table",
    options: {
      '--from': 'premier jour, AAAA-MM-JJ',
      '--to': 'dernier jour inclus, AAAA-MM-JJ',
      '--csv': 'CSV, une ligne par ligne de facture, puis le total',
    },
  },
  'xmserver client profile': {
    description:
      'envoyer à un site son profil tel que le registre le connaît (nom, statut, domaine, région, localité)',
    options: { '--url': broker, '--mqtt3': mqtt3 },
  },
  'xmserver client message': {
    description:
      "envoyer un message texte à un site ; il attend au broker jusqu'à ce que le site se connecte",
    options: { '--text': 'le message, 2000 caractères au plus', '--url': broker, '--mqtt3': mqtt3 },
  },
  'xmserver client delete': {
    description:
      "supprimer un client enregistré par erreur et jamais utilisé (ni certificat, ni conteneur, ni mouvement de compte, ni donnée), avec son compte ; sa place dans l'édition est libérée. Un client utilisé est refusé : suspendez-le avec set-status <matricule> 0",
  },
  'xmserver client enrol': {
    description: "émettre le certificat d'un site d'après sa demande PKCS#10 (le matricule va dans le sujet)",
    options: {
      '--csr': 'la demande de certificat du site (PEM ou DER)',
      '--out': "écrire le certificat ici au lieu de l'afficher",
    },
  },
  'xmserver client cert': {
    description:
      "enregistrer le certificat d'un site émis par une AC extérieure (cette AC doit être reconnue : pki trust add)",
    options: { '--import': 'le certificat (PEM ou DER)' },
  },
  'xmserver pki': { description: "l'AC nationale : AC reconnues, révocation, CRL" },
  'xmserver pki trust': { description: 'les AC dont le serveur accepte les certificats' },
  'xmserver pki trust add': { description: "reconnaître le certificat d'une AC extérieure" },
  'xmserver pki trust list': { description: 'lister les AC reconnues' },
  'xmserver pki revoke': {
    description: 'révoquer un certificat par son numéro de série ; il figure dans la prochaine CRL',
    arguments: { serial: 'numéro de série, en hexadécimal' },
    options: { '--reason': 'motif de la révocation' },
  },
  'xmserver pki crl': {
    description: "émettre la prochaine liste de révocation (CRL) de l'AC nationale",
    options: {
      '--out': "écrire la CRL ici au lieu de l'afficher",
      '--days': 'validité en jours',
    },
  },
  'xmserver trust-list': {
    description:
      'la liste signée des certificats autorisés à sceller des documents, pour les vérificateurs hors ligne',
  },
  'xmserver trust-list export': {
    description: 'signer et écrire la liste de confiance suivante (AC nationale, signataires, révocations)',
    options: { '--out': 'le fichier à écrire', '--days': 'durée de validité en jours' },
  },
  'xmserver trust-list send': {
    description:
      "envoyer à un site la liste de confiance d'un fichier ; le site la garde si elle est plus récente que la sienne",
    arguments: { file: 'une liste de confiance écrite par trust-list export' },
    options: {
      '--client': 'le site',
      '--url': broker,
      '--mqtt3': mqtt3,
    },
  },
  'xmserver signatory': {
    description: 'le registre des signataires dont la signature sur les documents est reconnue',
  },
  'xmserver signatory add': {
    description: 'enregistrer un signataire',
    options: {
      '--name': 'nom complet',
      '--role': 'par exemple officer, clerk',
      '--client': 'le site où travaille le signataire',
      '--cert': 'le certificat du signataire (doit remonter à une AC reconnue)',
      '--csr':
        "ou une demande de certificat (la clé de documents d'un site : `ecr document-key create`) : l'AC nationale émet le certificat",
      '--out': "avec --csr : écrire ici le certificat émis au lieu de l'afficher",
    },
  },
  'xmserver signatory list': { description: 'lister les signataires' },
  'xmserver signatory revoke': {
    description: "retirer un signataire ; son certificat, s'il en a un, est révoqué aussi",
  },
  'xmserver run': {
    description:
      "le service : recevoir et appliquer les conteneurs, répondre par des accusés de réception ; /metrics et /healthz pendant qu'il tourne ; SIGTERM termine le travail en cours",
    options: {
      '--metrics-port': 'port de /metrics et /healthz (0 : aucun)',
      '--concurrency':
        'conteneurs traités à la fois, une connexion au broker chacun, 1 à 1024 (par défaut 256 ; 1 avec --embedded-broker)',
      '--embedded-broker': 'le broker est en MQTT 3.1.1 sans abonnements partagés (un seul processus)',
    },
  },
  'xmserver demo': {
    description:
      "tout embarqué (base, broker, serveur) et N sites d'état civil simulés qui valident et envoient M actes chacun ; s'arrête de lui-même",
    options: {
      '--sites': 'sites simulés (1 à 10)',
      '--acts': 'actes par site',
      '--timeout': "cesser d'attendre les accusés de réception après ce délai",
    },
  },
  'xmserver licence': {
    description:
      "l'édition : 10 clients et 20 utilisateurs sans clé de licence ; une clé relève la limite de clients",
  },
  'xmserver licence show': { description: "l'édition en vigueur, ses limites et ce qui en est utilisé" },
  'xmserver forms': {
    description:
      'les types de documents définis par un fichier de définition (Docstream) : les installer et les lister',
  },
  'xmserver forms install': {
    description:
      'vérifier un fichier de définition de formulaire, créer sa table (ou ajouter ses nouveaux champs facultatifs) et enregistrer la version',
    arguments: { file: 'le fichier de définition (JSON, xmcomm-form/1)' },
  },
  'xmserver forms list': {
    description: "les formulaires installés, chacun avec sa dernière version et l'empreinte de sa table",
  },
  'xmserver licence activate': {
    description: "installer une clé de licence de l'éditeur (vérifiée hors ligne par sa signature)",
    arguments: { key: 'XMLIC1.…' },
  },
  'xmserver broker': { description: 'le broker MQTT' },
  'xmserver broker test': {
    description:
      'se connecter, mesurer les allers-retours et le débit avec de petits conteneurs ; avec XM_BROKER_ADMIN_USERNAME et XM_BROKER_ADMIN_PASSWORD[_FILE], il crée son propre compte de test, sinon il utilise XM_BROKER_USERNAME, XM_BROKER_PASSWORD[_FILE]',
    options: {
      '--url': 'le broker à tester (par défaut : celui de la configuration)',
      '--mqtt3': mqtt3,
      '--messages': 'messages pour la mesure du débit',
      '--timeout': 'abandonner après ce délai',
    },
  },
  'xmserver broker sync': {
    description:
      "pousser les comptes des sites et les règles d'accès vers le plugin dynamic security de Mosquitto : statut 1 à 3 activé, 0 désactivé, révoqué supprimé ; seul ce qui diffère est envoyé (compte d'administration dans XM_BROKER_ADMIN_USERNAME, XM_BROKER_ADMIN_PASSWORD[_FILE])",
    options: {
      '--url': 'le broker (par défaut $XM_BROKER_ADMIN_URL, puis le broker de la configuration)',
      '--dry-run': 'dire ce qui changerait, sans rien changer',
      '--server-account':
        'créer aussi le compte des processus serveur, ou le remettre en accord (XM_BROKER_USERNAME, XM_BROKER_PASSWORD[_FILE])',
    },
  },
  'xmserver monitor': {
    description:
      'les transmissions par site (dernier contact, conteneurs entrés et sortis, lignes, rejets, trous) et les totaux ; --json pour un instantané',
    options: { '--watch': "rafraîchir toutes les N secondes jusqu'à interruption" },
  },
  'xmserver report': {
    description:
      'actes par site, table et jour de validation, en CSV ; --by month, table, region ou sex pour des totaux ; --grant-role crée un rôle en lecture seule pour les outils statistiques, sur les seules données échangées',
    options: {
      '--by': 'totaux par month (mois), table, region (région) ou sex (sexe) au lieu de par site et par jour',
      '--from': 'premier mois compté, AAAA-MM (par jour de validation, UTC)',
      '--to': 'dernier mois compté, AAAA-MM',
      '--table': 'une seule table échangée (births, marriages, deaths)',
      '--grant-role':
        'PostgreSQL seulement : un rôle de connexion qui peut lire xm_data et rien de confidentiel (mot de passe dans XM_STATS_PASSWORD[_FILE])',
    },
  },
  'xmserver audit': {
    description: "le journal d'audit : chaque modification faite par xmserver, la plus récente d'abord",
    options: {
      '--limit': "combien d'entrées",
      '--target': 'seulement les modifications de cet identifiant, matricule ou numéro de série',
    },
  },
  'xmserver tariff': {
    description:
      'les prix des services par acte (ligne) ou par volume (kilooctet), par table, dans le temps : set, list, end',
  },
  'xmserver tariff set': {
    description:
      "fixer les prix d'un service à partir d'une date (par défaut maintenant) : le tarif alors en vigueur s'arrête là ; un prix non donné vaut 0",
    arguments: { service: 'sds-export, sds-import, messages, account-query ou profile-query' },
    options: {
      '--table': 'une table échangée (births) ; par défaut * (toute table sans tarif propre)',
      '--currency': 'devise ISO 4217 des comptes concernés (par défaut XAF)',
      '--per-row': 'prix de chaque ligne (acte), en unités mineures',
      '--per-kilobyte': "prix de chaque kilooctet d'un conteneur, en unités mineures",
      '--flat-fee': 'facturé une fois par période par les frais périodiques',
      '--free-rows': 'lignes gratuites par période',
      '--period': 'day, month ou year (par défaut month)',
      '--from': 'AAAA-MM-JJ (à partir de 00:00 UTC) ou un instant ISO 8601 ; par défaut maintenant',
    },
  },
  'xmserver tariff list': {
    description:
      'les tarifs en vigueur maintenant et ceux fixés pour plus tard ; --at : en vigueur à cette date ; --all : les tarifs terminés aussi',
    options: { '--at': 'AAAA-MM-JJ ou un instant ISO 8601', '--all': 'tous les tarifs jamais fixés' },
  },
  'xmserver tariff end': {
    description:
      "terminer un tarif (par son id, ou le tarif d'un service en vigueur à cette date) : ensuite le service est gratuit, ou le tarif * s'applique à la table",
    arguments: { 'id|service': "l'id du tarif donné par « tariff list », ou un service" },
    options: {
      '--table': 'avec un service : la table (par défaut *)',
      '--currency': 'avec un service : la devise (par défaut XAF)',
      '--at': 'AAAA-MM-JJ (00:00 UTC) ou un instant ISO 8601 ; par défaut maintenant',
    },
  },
};
