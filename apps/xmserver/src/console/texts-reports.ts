import type { Text } from '@xmcomm/web-kit';

/** The words of the statistics filters, bills, profile and tariff end pages, French and English. */
export const rt = {
  // Statistics
  byRegion: { en: 'By region of the sending site', fr: 'Par région du site émetteur' },
  bySex: { en: 'By sex', fr: 'Par sexe' },
  sex: { en: 'Sex', fr: 'Sexe' },
  male: { en: 'Male', fr: 'Masculin' },
  female: { en: 'Female', fr: 'Féminin' },
  notRecorded: { en: 'Not recorded', fr: 'Non renseigné' },
  fromMonth: { en: 'From (month)', fr: 'Du mois' },
  toMonth: { en: 'To (month, included)', fr: 'Au mois (inclus)' },
  allTypes: { en: 'All types', fr: 'Tous les types' },
  type: { en: 'Type', fr: 'Type' },
  filter: { en: 'Filter', fr: 'Filtrer' },
  sexNote: {
    en: 'Sex is the one the contract declares for each type (the child for a birth, the deceased for a death); a type without one (a marriage, two persons) counts under “not recorded”, as does a value other than male or female.',
    fr: 'Le sexe est celui que le contrat déclare pour chaque type (l’enfant pour une naissance, le défunt pour un décès) ; un type qui n’en a pas (un mariage, deux personnes) compte en « non renseigné », comme une valeur autre que masculin ou féminin.',
  },
  regionNote: {
    en: 'The region is the sending client’s, as the register holds it (Clients › Edit).',
    fr: 'La région est celle du client émetteur, telle que le registre la connaît (Clients › Modifier).',
  },
  sameAsReport: {
    en: 'Each CSV is what xmserver report --by … gives with the same filters.',
    fr: 'Chaque CSV est ce que donne xmserver report --by … avec les mêmes filtres.',
  },
  // Bills
  bills: { en: 'Bills', fr: 'Factures' },
  bill: { en: 'Bill', fr: 'Facture' },
  billsOf: { en: 'Bills of {matricule}', fr: 'Factures de {matricule}' },
  billsNote: {
    en: 'A bill is the invoice of a period, computed from the account’s movements (xmserver client bill): the same period always gives the same bill, with the same number.',
    fr: 'Une facture est celle d’une période, calculée à partir des mouvements du compte (xmserver client bill) : la même période donne toujours la même facture, avec le même numéro.',
  },
  monthlyBills: { en: 'Monthly bills', fr: 'Factures mensuelles' },
  issueBill: { en: 'Bill a period', fr: 'Facturer une période' },
  firstDay: { en: 'First day', fr: 'Premier jour' },
  lastDay: { en: 'Last day (included)', fr: 'Dernier jour (inclus)' },
  issue: { en: 'Issue the bill', fr: 'Établir la facture' },
  number: { en: 'Number', fr: 'Numéro' },
  periodLabel: { en: 'Period', fr: 'Période' },
  total: { en: 'Total', fr: 'Total' },
  view: { en: 'View', fr: 'Voir' },
  description: { en: 'Description', fr: 'Libellé' },
  quantity: { en: 'Quantity', fr: 'Quantité' },
  bytes: { en: 'Bytes', fr: 'Octets' },
  noLines: { en: 'Nothing to bill in this period.', fr: 'Rien à facturer sur cette période.' },
  // Profile
  profile: { en: 'Profile', fr: 'Profil' },
  profileOf: { en: 'Profile of {matricule}', fr: 'Profil de {matricule}' },
  profileNote: {
    en: 'What the site is told of itself (xmserver client profile): its name, status, domain, region and locality as the register holds them. Change them here, then send the profile to the site.',
    fr: 'Ce que le site apprend de lui-même (xmserver client profile) : son nom, son statut, son domaine, sa région et sa localité tels que le registre les connaît. Modifiez-les ici, puis envoyez le profil au site.',
  },
  sendProfile: { en: 'Send the profile to the site', fr: 'Envoyer le profil au site' },
  profileSent: {
    en: 'Profile sent to {matricule} ({bytes} bytes); it waits at the broker until the site connects.',
    fr: 'Profil envoyé à {matricule} ({bytes} octets) ; il attend au broker que le site se connecte.',
  },
  profileSaved: {
    en: 'Profile changed. Send it so the site knows.',
    fr: 'Profil modifié. Envoyez-le pour que le site le sache.',
  },
  // Tariff end
  endTariff: { en: 'End', fr: 'Terminer' },
  endTariffTitle: { en: 'End tariff {id}', fr: 'Terminer le tarif {id}' },
  endAt: { en: 'Ends on', fr: 'Se termine le' },
  endAtHelp: {
    en: 'At 00:00 UTC that day; empty: now. From then on the service is free, or the * tariff applies to the table.',
    fr: 'À 00:00 UTC ce jour-là ; vide : maintenant. Ensuite le service est gratuit, ou le tarif * s’applique à la table.',
  },
  tariffEnded: { en: 'Tariff {id} ended.', fr: 'Tarif {id} terminé.' },
  unknownTariff: { en: 'No such tariff.', fr: 'Tarif inconnu.' },
} satisfies Record<string, Text>;
