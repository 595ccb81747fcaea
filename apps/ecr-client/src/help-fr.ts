import type { FrenchTexts } from '@xmcomm/cli-kit';

const typeWhenBare = 'birth, marriage ou death (quand N est un simple numéro)';
const from = 'événement le AAAA-MM-JJ ou après';
const to = 'événement le AAAA-MM-JJ ou avant';

/**
 * The French help of `ecr`, by command path; the English is in the commands' code. A command,
 * option or argument added without its French here fails help-fr.test.ts.
 */
export const helpFr: FrenchTexts = {
  ecr: {
    description:
      "Le centre d'état civil : utilisateurs, actes (naissances, mariages, décès), NIU, statistiques.",
    options: {
      '--data-dir': 'où ce poste garde sa configuration (ECR_DATA_DIR)',
      '--json': 'sortie lisible par une machine',
      '--lang': 'langue des messages (par défaut $ECR_LANG, puis la locale)',
      '--user': 'qui lance la commande (ECR_USER) ; le mot de passe vient de ECR_PASSWORD ou de la saisie',
    },
  },
  'ecr init': {
    description: 'configurer la base du centre et ce poste (ou rejoindre un centre existant)',
    options: {
      '--database-url':
        'postgres://utilisateur@hôte/base pour un centre à plusieurs postes ; par défaut : une base embarquée dans le répertoire des données',
      '--matricule': 'le matricule du centre sur le serveur central',
      '--centre-code': 'le code national du centre, 6 chiffres (début de chaque NIU)',
      '--name': 'le nom du centre',
      '--broker': 'le broker MQTT, mqtt://hôte:port ou mqtts://hôte:port',
      '--server-cert': 'le certificat du serveur central (PEM)',
      '--ca-cert': "le certificat de l'AC nationale (PEM), qui a émis celui du serveur",
      '--officer': "l'identifiant de l'officier (mot de passe dans ECR_NEW_PASSWORD ou saisi)",
      '--officer-name': "le nom complet de l'officier",
      '--no-key': 'ne pas créer maintenant la paire de clés du centre ni sa demande de certificat',
      '--dictionary':
        'le fichier de dictionnaire du déploiement (sdc dictionary build) avec lequel le centre empaquette les lignes (par défaut : la liste de démonstration du Cameroun)',
      '--accept-dictionary': 'un fichier de dictionnaire aussi accepté du serveur (répétable)',
    },
  },
  'ecr dictionary': {
    description:
      "afficher ou modifier les dictionnaires avec lesquels le centre empaquette les lignes et ceux qu'il accepte (les modifier : officier)",
    options: {
      '--dictionary': 'le fichier de dictionnaire du déploiement avec lequel le centre empaquette les lignes',
      '--accept-dictionary':
        'un fichier de dictionnaire aussi accepté du serveur (répétable ; remplace ceux enregistrés)',
    },
  },
  'ecr serve': {
    description:
      "servir l'interface des postes aux navigateurs, sur la base du centre ; seul cet ordinateur peut l'atteindre sauf si --host dit autrement",
    options: {
      '--host':
        "l'adresse d'écoute : 127.0.0.1 (cet ordinateur seulement) ou l'adresse de ce serveur sur le réseau local, 0.0.0.0 pour toutes",
      '--port': 'le port, 0-65535 (0 : un port libre, affiché au démarrage)',
      '--sync-every':
        'envoyer aussi les actes validés au serveur central toutes les N secondes, 2-300 (demande ECR_KEY_PASSPHRASE et un broker)',
    },
  },
  'ecr cert': { description: 'le certificat du centre' },
  'ecr cert import': { description: 'installer le certificat que le serveur central a émis pour ce centre' },
  'ecr user': { description: "les utilisateurs du centre (l'officier les gère)" },
  'ecr user add': {
    description: 'ajouter un utilisateur ; le mot de passe vient de ECR_NEW_PASSWORD ou de la saisie',
    options: { '--role': 'agent, secretary ou officer', '--name': 'nom complet' },
  },
  'ecr user list': { description: 'lister les utilisateurs du centre' },
  'ecr user set-role': {
    description: "changer le rôle d'un utilisateur : agent, secretary, officer ou suspended",
  },
  'ecr user reset-password': {
    description:
      "l'officier définit un nouveau mot de passe pour un utilisateur qui a perdu le sien (depuis ECR_NEW_PASSWORD ou la saisie)",
  },
  'ecr user passwd': {
    description: 'changer votre propre mot de passe (le nouveau depuis ECR_NEW_PASSWORD ou la saisie)',
  },
  'ecr user unlock': {
    description:
      'lever le verrouillage que des mots de passe erronés répétés ont mis sur un utilisateur, et remettre le compte à zéro (officier)',
  },
  'ecr login': {
    description:
      'vérifier votre identifiant et votre mot de passe (--user, ECR_PASSWORD ou la saisie) et apprendre les messages non lus du serveur central',
  },
  'ecr print': {
    description:
      "imprimer une copie intégrale ou un extrait d'un acte validé en PDF scellé ; chaque délivrance est enregistrée et facturée au centre",
    options: {
      '--kind': 'copy (copie intégrale) ou extract (extrait)',
      '--out': 'le fichier PDF à écrire',
      '--language': 'langue des dates et des valeurs (par défaut celle du modèle)',
      '--template': 'un modèle modifié par le centre (par défaut celui fourni)',
      '--type': typeWhenBare,
    },
  },
  'ecr verify': {
    description:
      "vérifier hors ligne le sceau QR d'un document imprimé avec la liste de confiance du centre : VALIDE ou NON VALIDE avec la raison ; --online le compare aussi à l'acte central. INPUT : le texte du QR, une image PNG/JPEG ou un PDF, ou - pour le texte sur l'entrée standard",
    options: {
      '--online':
        "demander aussi l'acte au serveur central par son NIU (une demande d'import, facturée comme telle) et comparer chaque champ imprimé",
      '--wait': 'avec --online : combien de temps attendre la réponse',
    },
  },
  'ecr document-key': {
    description: 'la clé de documents du centre, qui signe le sceau QR des documents imprimés',
  },
  'ecr document-key create': {
    description:
      'créer la clé de documents (phrase de passe dans ECR_DOCUMENT_KEY_PASSPHRASE) et sa demande de certificat pour le serveur central',
  },
  'ecr document-key import': {
    description: 'installer le certificat émis par le serveur central pour la clé de documents',
  },
  'ecr message': { description: 'les messages du serveur central au centre (tout utilisateur les lit)' },
  'ecr message list': {
    description: 'lister les messages, du plus récent au plus ancien ; les non lus sont signalés',
    options: { '--unread': "seulement les messages que personne n'a encore lus" },
  },
  'ecr message read': {
    description:
      'afficher le message n en entier et le marquer lu pour le centre ; ou les marquer tous lus avec --all',
    options: { '--all': 'marquer lus tous les messages non lus, sans les afficher' },
  },
  'ecr rules': {
    description: "afficher ou fixer les règles d'état civil du centre (les fixer : officier)",
    options: {
      '--mother-min-age': "l'âge minimum d'une mère à la naissance",
      '--marriage-age': "l'âge légal du mariage",
    },
  },
  'ecr act': { description: 'naissances, mariages et décès' },
  'ecr act new': {
    description: 'rédiger un acte depuis un fichier JSON (agent) : birth, marriage ou death',
    options: { '--file': "l'acte, un objet JSON de champs" },
  },
  'ecr act import': {
    description:
      "rédiger des actes depuis un fichier CSV avec une ligne d'en-tête, ou des lignes JSON, tous ou aucun (agent ; --verify : secrétaire)",
    options: {
      '--kind': 'birth, marriage ou death, pour les lignes sans colonne kind',
      '--format': 'csv ou jsonl (par défaut : selon le nom du fichier)',
      '--verify': 'marquer aussi chaque acte comme vérifié (secrétaire ou officier)',
    },
  },
  'ecr act edit': {
    description:
      "modifier des champs d'un acte pas encore validé, depuis un fichier JSON et/ou --set champ=valeur",
    options: {
      '--file': 'un objet JSON des champs à modifier (null en efface un)',
      '--set': "un champ à modifier (répétable ; une valeur vide l'efface)",
      '--type': typeWhenBare,
    },
  },
  'ecr act verify': {
    description: 'marquer un acte rédigé comme vérifié (secrétaire)',
    options: { '--type': typeWhenBare },
  },
  'ecr act validate': {
    description: 'valider un acte vérifié (officier) : statut 2, NIU, signature',
    options: { '--type': typeWhenBare },
  },
  'ecr act cancel': {
    description: 'annuler un acte pas encore validé (secrétaire)',
    options: { '--reason': "pourquoi, gardé dans l'historique", '--type': typeWhenBare },
  },
  'ecr act show': {
    description: 'afficher un acte (B12, M3, D7, ou son NIU)',
    options: { '--type': typeWhenBare },
  },
  'ecr act search': {
    description: 'chercher des actes par nom, NIU, période, lieu, type et statut',
    options: {
      '--type': 'birth, marriage ou death',
      '--name': "le début d'un nom ou d'un prénom",
      '--niu': 'le NIU exact',
      '--from': from,
      '--to': to,
      '--place': "une partie de la localité ou de la région de l'événement",
      '--status': '0 annulé, 1 nouveau, 2 validé, 3 scellé, 4 exporté',
      '--limit': 'au plus ce nombre (100, 1000 au plus)',
      '--offset': 'sauter les n premiers (pagination)',
    },
  },
  'ecr act history': {
    description: "qui a rédigé, vérifié, validé, annulé l'acte, depuis quel poste, et quand",
    options: { '--type': typeWhenBare },
  },
  'ecr sync': {
    description:
      "envoyer les actes validés au serveur central et recevoir ses accusés de réception et ses réponses ; toutes les --interval secondes jusqu'à l'arrêt, ou une fois",
    options: {
      '--once':
        "envoyer, attendre les accusés de réception et recevoir ce que le serveur a envoyé (jusqu'à --wait secondes), puis s'arrêter",
      '--interval': 'secondes entre deux tours, 10 à 300',
      '--wait': 'avec --once : combien de temps attendre les accusés de réception',
      '--max-rows':
        "au plus ce nombre d'actes par conteneur, un plafond (10000, ce que le serveur accepte) ; en dessous, la taille est choisie pour la liaison",
      '--container-seconds':
        'secondes de liaison que prend au plus un conteneur, au débit mesuré sur les derniers (15)',
      '--resend-after':
        "renvoyer un conteneur dont l'accusé de réception n'est pas venu après ce délai au moins (30), plus long pour un gros conteneur sur une liaison lente, doublé à chaque fois",
    },
  },
  'ecr import': {
    description:
      'demander au serveur central des actes (birth, marriage, death) répondant à des conditions ; ils sont gardés ici en lecture seule',
    options: {
      '--where':
        'champ=valeur (aussi != >= <= > <, champ~motif avec %, "champ between A and B", "champ in A,B,C", "champ is null") ; répétable, toutes doivent être vraies',
      '--order': 'trier par ce champ (répétable ; croissant sauf :desc)',
      '--limit': "au plus ce nombre d'actes (100)",
      '--wait': 'combien de temps attendre la réponse',
    },
  },
  'ecr account': {
    description: 'le solde et le statut du centre tels que le serveur central les a donnés en dernier',
    options: {
      '--refresh': "demander au serveur maintenant (et attendre jusqu'à --wait secondes)",
      '--wait': 'avec --refresh : combien de temps attendre la réponse',
    },
  },
  'ecr passwd': {
    description:
      "changer le mot de passe du centre sur le serveur central (zerokey tant qu'il n'est pas changé) ; l'actuel depuis ECR_CENTRE_PASSWORD, le nouveau depuis ECR_NEW_CENTRE_PASSWORD, ou saisis",
    options: { '--wait': 'combien de temps attendre la réponse du serveur' },
  },
  'ecr stats': {
    description: "nombres d'actes par type, mois, sexe et lieu",
    options: {
      '--by': 'séparés par des virgules : type,month,sex,place',
      '--from': from,
      '--to': to,
      '--csv': "CSV au lieu d'un tableau",
    },
  },
  'ecr niu': { description: 'contrôler un NIU saisi (format et clé de contrôle)' },
};
