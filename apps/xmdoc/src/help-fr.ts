import type { FrenchTexts } from '@xmcomm/cli-kit';

/**
 * The French help of `xmdoc`, by command path; the English is in the commands' code. A command,
 * option or argument added without its French here fails help-fr.test.ts.
 */
export const helpFr: FrenchTexts = {
  xmdoc: {
    description:
      "Documents imprimés : vérifier hors ligne le sceau QR d'un document, produire des modèles, écrire la page de vérification hors ligne.",
    options: {
      '--json': 'afficher le résultat en JSON sur la sortie standard',
      '--lang': 'langue des messages (par défaut $XM_LANG, puis la locale)',
    },
  },
  'xmdoc verify': {
    description: "vérifier le sceau d'un document : VALIDE (code 0) ou NON VALIDE avec la raison (code 1)",
    arguments: { input: 'le texte du QR, ou une image PNG/JPEG ou un PDF du document' },
    options: {
      '--trust':
        'la liste de confiance (xmserver trust-list export) ; conservée pour la suite si plus récente',
      '--at': 'vérifier à cette date (ISO 8601), par défaut maintenant',
      '--ca': "le certificat de l'AC nationale : refuser toute liste de confiance relevant d'une autre AC",
    },
  },
  'xmdoc render': {
    description:
      'produire le PDF d’un modèle avec des données, pour les auteurs de modèles (un cadre « spécimen » sans --key)',
    options: {
      '--template': 'le modèle (JSON)',
      '--data': 'les données (objet JSON : noms de champs et valeurs)',
      '--out': 'le PDF à écrire',
      '--key':
        'signer un vrai sceau avec cette clé EC P-256, PKCS#8 PEM (phrase de passe dans XM_KEY_PASSPHRASE)',
      '--certificate': 'le certificat de cette clé (PEM ou DER)',
      '--issuer': 'le matricule du site émetteur',
      '--niu': "le numéro de l'acte",
      '--document-id': "l'identifiant du document",
      '--date':
        'la date de délivrance (ISO 8601), par défaut maintenant ; fixez-la pour obtenir les mêmes octets',
      '--language':
        'langue des valeurs mises en forme ({{date|date}}, {{code|label}}) ; par défaut celle du modèle',
    },
  },
  'xmdoc templates': {
    description:
      'lister les modèles par défaut, ou en copier un (avec ses données d’exemple et son logo) pour le modifier',
    options: { '--copy': 'le modèle par défaut à copier', '--to': 'où le copier' },
  },
  'xmdoc page': {
    description:
      'écrire la page de vérification hors ligne : un seul fichier HTML, sans réseau, pour téléphone ou PC',
    options: {
      '--out': 'le fichier HTML à écrire',
      '--ca': "le certificat de l'AC nationale : la page refuse alors toute liste relevant d'une autre AC",
    },
  },
};
