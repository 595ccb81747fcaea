import type { FrenchTexts } from '@xmcomm/cli-kit';
import { siteHelpFr } from '@xmcomm/site-kit/cli';
import { jurisRoleNames } from './record-types.js';
import { jurisFrench, jurisWords, roles } from './words.js';

/** The French help of `xmjuris`, by command path; a command or option without it fails help-fr.test.ts. */
export const helpFr: FrenchTexts = {
  ...siteHelpFr(jurisWords, jurisFrench, roles, jurisRoleNames),
  xmjuris: {
    description:
      "Le casier judiciaire d'un tribunal : utilisateurs, fiches signées par le greffier, bulletins n° 1 à 3.",
    options: {
      '--data-dir': 'où la base embarquée et la clé du tribunal sont gardées (XMJURIS_DATA_DIR)',
      '--database-url': 'la base du tribunal, postgres://utilisateur@hôte/base (XMJURIS_DATABASE_URL)',
      '--json': 'sortie lisible par une machine',
      '--lang': 'langue des messages (par défaut $XMJURIS_LANG)',
      '--user': 'qui lance la commande (XMJURIS_USER) ; le mot de passe vient de XMJURIS_PASSWORD',
    },
  },
  'xmjuris init': {
    description:
      'configurer la base du tribunal, son identité, son greffier (mot de passe dans XMJURIS_NEW_PASSWORD) et sa clé (phrase de passe dans XMJURIS_KEY_PASSPHRASE)',
    options: {
      '--matricule': 'le matricule du tribunal au casier judiciaire national',
      '--centre-code': 'le code national du tribunal, 6 chiffres (début de chaque NIU)',
      '--name': 'le nom du tribunal',
      '--clerk': "l'identifiant du greffier (privilège 3)",
      '--clerk-name': 'le nom complet du greffier',
      '--broker': 'le broker MQTT, mqtt://hôte:port ou mqtts://hôte:port',
      '--server-cert': 'le certificat du serveur du casier national (PEM)',
      '--ca-cert': "le certificat de l'AC nationale (PEM), qui a délivré celui du serveur",
      '--no-key': 'ne pas créer maintenant la paire de clés du tribunal ni sa demande de certificat',
    },
  },
  'xmjuris rules': {
    description:
      "les règles des bulletins en vigueur aujourd'hui : les fiches que chaque bulletin écarte, et pourquoi",
  },
  'xmjuris serve': {
    description:
      "servir l'interface des postes aux navigateurs sur la base du tribunal (127.0.0.1 sauf --host)",
    options: {
      '--host': "l'adresse d'écoute",
      '--port': 'le port, 0-65535 (0 : un port libre)',
      '--sync-every':
        'envoyer aussi les fiches signées au casier toutes les tant de secondes, 10-300 (phrase de passe de la clé dans XMJURIS_KEY_PASSPHRASE)',
    },
  },
  'xmjuris bulletin': {
    description:
      "demander au casier national le bulletin d'une personne (n° 1 pour le greffier seulement) par son identité, et l'imprimer",
    options: {
      '--number': 'le bulletin : 1, 2 ou 3',
      '--surname': 'le nom de la personne',
      '--given-names': 'les prénoms de la personne',
      '--born': 'date de naissance, AAAA-MM-JJ',
      '--born-at': 'lieu de naissance',
      '--father': 'le nom du père, pour distinguer des homonymes',
      '--mother': 'le nom de la mère, pour distinguer des homonymes',
      '--sex': 'male (masculin) ou female (féminin)',
      '--nationality': 'nationalité, code ISO 3166 alpha-3 (CMR)',
      '--purpose': 'le motif de la demande : gardé par le casier et dans l’historique',
      '--pdf':
        'écrire le bulletin en PDF avec le sceau du tribunal (phrase de passe de la clé de documents dans XMJURIS_DOCUMENT_KEY_PASSPHRASE)',
      '--wait': 'combien de temps attendre la réponse du casier',
    },
  },
};
