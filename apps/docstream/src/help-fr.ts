import type { FrenchTexts } from '@xmcomm/cli-kit';

/** The French help of `docstream`, by command path; a command or option without it fails help-fr.test.ts. */
export const helpFr: FrenchTexts = {
  docstream: {
    description:
      "Les documents authentiques d'un centre de traitement, faits de formulaires définis sans code : utilisateurs, formulaires, interface des postes.",
    options: {
      '--data-dir': 'où la base embarquée et la clé de documents sont gardées (DOCSTREAM_DATA_DIR)',
      '--database-url': 'la base du centre, postgres://utilisateur@hôte/base (DOCSTREAM_DATABASE_URL)',
      '--json': 'sortie lisible par une machine',
      '--lang': 'langue des messages (par défaut $DOCSTREAM_LANG)',
      '--user': 'qui lance la commande (DOCSTREAM_USER) ; le mot de passe vient de DOCSTREAM_PASSWORD',
    },
  },
  'docstream init': {
    description:
      'configurer la base du centre, son identité et son officier (mot de passe dans DOCSTREAM_NEW_PASSWORD)',
    options: {
      '--matricule': 'le matricule du centre au serveur central',
      '--centre-code': 'le code du centre, 6 chiffres (début de chaque NIU)',
      '--name': 'le nom du centre, imprimé sur ses documents',
      '--officer': "l'identifiant de l'officier (chef de centre, privilège 3)",
      '--officer-name': "le nom complet de l'officier",
    },
  },
  'docstream user': { description: "les utilisateurs du centre (l'officier les gère)" },
  'docstream user add': {
    description: 'ajouter un utilisateur ; le mot de passe vient de DOCSTREAM_NEW_PASSWORD',
    options: { '--role': 'agent, secretary (secrétaire) ou officer (officier)', '--name': 'nom complet' },
  },
  'docstream user list': { description: 'lister les utilisateurs du centre' },
  'docstream forms': { description: 'les types de documents que ce centre établit (fichiers de définition)' },
  'docstream forms install': {
    description:
      "installer un fichier de définition de formulaire (l'officier) : sa table, son formulaire, son impression ; le serveur central installe le même fichier",
  },
  'docstream forms list': {
    description: 'les formulaires installés, avec leur version et l’empreinte de leur table',
  },
  'docstream serve': {
    description:
      "servir l'interface des postes aux navigateurs sur la base du centre (127.0.0.1 sauf --host)",
    options: { '--host': "l'adresse d'écoute", '--port': 'le port, 0-65535 (0 : un port libre)' },
  },
};
