import type { FrenchTexts } from '@xmcomm/cli-kit';

const mountPoint = 'le point de montage du support';
const siteOptions = {
  '--database-url': 'la base du site (sinon XM_DATABASE_URL) ; sans mot de passe',
  '--matricule': 'le matricule de ce site (sinon XM_MATRICULE)',
  '--server-name': 'le nom du serveur (sinon XM_SERVER_NAME, par défaut xmserver)',
  '--key':
    'la clé privée de ce site, PKCS#8 PEM (sinon XM_KEY_FILE) ; phrase de passe dans XM_KEY_PASSPHRASE(_FILE)',
  '--certificate': 'le certificat de ce site (sinon XM_CERTIFICATE_FILE)',
  '--server-certificate': 'le certificat du serveur (sinon XM_SERVER_CERTIFICATE_FILE)',
  '--ca': "le certificat de l'AC qui les a émis (sinon XM_CA_FILE)",
};

/**
 * The French help of `t2d`, by command path; the English is in the commands' code. A command,
 * option or argument added without its French here fails help-fr.test.ts.
 */
export const helpFr: FrenchTexts = {
  t2d: {
    description:
      'Transfer To Device : les mêmes conteneurs que par MQTT, sur support amovible, dans les deux sens.',
    options: {
      '--json': 'afficher le résumé en JSON sur la sortie standard',
      '--lang': 'langue des messages (par défaut $XM_LANG, puis la locale)',
    },
  },
  't2d export': {
    description: "site : écrire sur le support les éléments de la boîte d'envoi qui attendent le serveur",
    options: {
      ...siteOptions,
      '--to': mountPoint,
      '--no-seal':
        "ne pas sceller d'abord les lignes validées ; ne porter que ce qui est déjà dans la boîte d'envoi",
    },
  },
  't2d import': {
    description:
      'site : appliquer les accusés de réception et les réponses aux demandes que le serveur a écrits sur le support',
    options: { ...siteOptions, '--from': mountPoint },
  },
  't2d ingest': {
    description:
      'serveur : appliquer chaque conteneur du support adressé à ce serveur et y écrire les réponses',
    options: {
      '--from': mountPoint,
      '--database-url': 'la base du serveur (sinon XM_DATABASE_URL) ; sans mot de passe',
      '--server-name': 'le nom de ce serveur (sinon XM_SERVER_NAME, par défaut xmserver)',
      '--key':
        'la clé privée du serveur, PKCS#8 PEM (sinon XM_KEY_FILE) ; phrase de passe dans XM_KEY_PASSPHRASE(_FILE)',
      '--certificate': 'le certificat du serveur (sinon XM_CERTIFICATE_FILE)',
    },
  },
};
