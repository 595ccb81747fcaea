import type { FrenchTexts } from '@xmcomm/cli-kit';

const rows = "tableau JSON d'objets lignes";
const passphrase = 'où lire la phrase de passe de la clé';

/**
 * The French help of `sdc`, by command path; the English is in the commands' code. A command,
 * option or argument added without its French here fails help-fr.test.ts.
 */
export const helpFr: FrenchTexts = {
  sdc: {
    description:
      'Secure Data Containers : encoder, décoder et inspecter des conteneurs CMS de lignes, signés et chiffrés.',
    options: {
      '--lang': "langue de l'aide et des erreurs d'utilisation (par défaut $XM_LANG, puis la locale)",
    },
  },
  'sdc encode': {
    description: "signer et chiffrer les lignes d'un tableau JSON en un ou plusieurs conteneurs",
    options: {
      '--table': 'nom de la table (une table que le contrat ne connaît pas voyage sous forme générique)',
      '--in': rows,
      '--cert': 'le certificat du signataire',
      '--key': 'la clé privée du signataire (PKCS#8 PEM, chiffrée ou non)',
      '--pass': passphrase,
      '--to': 'certificat du destinataire (à répéter pour plusieurs)',
      '--cipher': 'chiffrement du contenu',
      '--armor': 'armure de sortie',
      '--batch': 'lignes par conteneur (par défaut : toutes dans un seul)',
      '--from':
        "matricule de l'expéditeur (par défaut : le serialNumber du certificat du signataire, sinon son CN)",
      '--recipient-matricule': "matricule du destinataire, écrit dans l'en-tête",
      '--sequence': 'numéro de séquence du premier conteneur',
      '--embed-cert': 'inclure le certificat du signataire',
      '--json': 'afficher une ligne JSON par conteneur écrit',
      '--dictionary':
        'le dictionnaire du déploiement avec lequel compacter les mots (par défaut : la liste du Cameroun), ou none',
      '--out': 'fichier de sortie, ou répertoire pour un fichier par conteneur',
    },
  },
  'sdc decode': {
    description:
      'déchiffrer, vérifier et afficher des conteneurs (un répertoire est décodé en un seul processus)',
    options: {
      '--in': 'fichier conteneur, ou répertoire de conteneurs',
      '--cert': 'le certificat du destinataire',
      '--key': 'la clé privée du destinataire',
      '--pass': passphrase,
      '--trust': "certificat(s) d'AC auxquels les signataires doivent remonter (à répéter pour plusieurs)",
      '--signer': 'certificat de signataire connu (à répéter pour plusieurs)',
      '--crl': 'liste de révocation de certificats (à répéter pour plusieurs)',
      '--accept-embedded': 'accepter aussi un certificat de signataire inclus dans le conteneur',
      '--json': 'afficher un objet JSON par conteneur et par ligne',
      '--dictionary':
        'un dictionnaire avec lequel les conteneurs peuvent être compactés (à répéter pour plusieurs ; la liste du Cameroun est toujours connue)',
    },
  },
  'sdc inspect': {
    description: "montrer la structure d'un conteneur, sans aucune clé",
    arguments: { file: 'fichier conteneur' },
    options: { '--json': 'afficher du JSON' },
  },
  'sdc payload': {
    description: "la charge utile intérieure seule, pour signer et chiffrer avec d'autres outils",
  },
  'sdc payload encode': {
    description: 'encoder des lignes en une charge utile nue, ni signée ni chiffrée',
    options: {
      '--table': 'nom de la table',
      '--in': rows,
      '--from': "matricule de l'expéditeur",
      '--recipient-matricule': 'matricule du destinataire',
      '--sequence': 'numéro de séquence',
      '--dictionary':
        'le dictionnaire du déploiement avec lequel compacter les mots (par défaut : la liste du Cameroun), ou none',
      '--out': 'fichier de sortie',
    },
  },
  'sdc payload decode': {
    description: 'afficher une charge utile nue en une ligne JSON',
    options: {
      '--in': 'fichier de la charge utile',
      '--dictionary':
        'un dictionnaire avec lequel les conteneurs peuvent être compactés (à répéter pour plusieurs ; la liste du Cameroun est toujours connue)',
    },
  },
  'sdc dictionary': {
    description:
      "le dictionnaire d'un déploiement : des mots qui voyagent par leur numéro plutôt que par leurs lettres",
  },
  'sdc dictionary build': {
    description:
      "construire un dictionnaire à partir d'un échantillon des fiches du déploiement : les valeurs de texte les plus fréquentes",
    options: {
      '--table': 'table du --sample qui suit (à répéter avec chaque --sample pour plusieurs tables)',
      '--sample': 'fiches de cette table, un objet JSON par ligne (à répéter pour plusieurs tables)',
      '--budget': 'taille maximale : un nombre de mots (500) ou d’octets (6000B, 8KiB)',
      '--name': 'le nom du dictionnaire (par défaut : celui du fichier de sortie)',
      '--min-count': 'une valeur ne devient un mot que si elle revient au moins ce nombre de fois',
      '--out': 'fichier de sortie (JSON, à versionner avec le déploiement)',
    },
  },
};
