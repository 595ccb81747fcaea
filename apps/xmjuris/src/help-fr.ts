import type { FrenchTexts } from '@xmcomm/cli-kit';

/** The French help of `xmjuris`, by command path; a command or option without it fails help-fr.test.ts. */
export const helpFr: FrenchTexts = {
  xmjuris: {
    description:
      "Le casier judiciaire d'un tribunal : utilisateurs, fiches signées par le greffier, bulletins n° 1 à 3.",
    options: {
      '--data-dir': 'où la base embarquée est gardée (XMJURIS_DATA_DIR)',
      '--database-url': 'la base du tribunal, postgres://utilisateur@hôte/base (XMJURIS_DATABASE_URL)',
      '--json': 'sortie lisible par une machine',
      '--lang': 'langue des messages (par défaut $XMJURIS_LANG)',
      '--user': 'qui lance la commande (XMJURIS_USER) ; le mot de passe vient de XMJURIS_PASSWORD',
    },
  },
  'xmjuris init': {
    description:
      'configurer la base du tribunal, son identité et son greffier (mot de passe dans XMJURIS_NEW_PASSWORD)',
    options: {
      '--matricule': 'le matricule du tribunal au casier judiciaire national',
      '--centre-code': 'le code national du tribunal, 6 chiffres (début de chaque NIU)',
      '--name': 'le nom du tribunal',
      '--clerk': "l'identifiant du greffier (privilège 3)",
      '--clerk-name': 'le nom complet du greffier',
    },
  },
  'xmjuris user': { description: 'les utilisateurs du tribunal (le greffier les gère)' },
  'xmjuris user add': {
    description: 'ajouter un utilisateur ; le mot de passe vient de XMJURIS_NEW_PASSWORD',
    options: { '--role': 'agent, secretary (secrétaire) ou clerk (greffier)', '--name': 'nom complet' },
  },
  'xmjuris user list': { description: 'lister les utilisateurs du tribunal' },
  'xmjuris rules': {
    description:
      "les règles des bulletins en vigueur aujourd'hui : les fiches que chaque bulletin écarte, et pourquoi",
  },
  'xmjuris serve': {
    description:
      "servir l'interface des postes aux navigateurs sur la base du tribunal (127.0.0.1 sauf --host)",
    options: { '--host': "l'adresse d'écoute", '--port': 'le port, 0-65535 (0 : un port libre)' },
  },
};
