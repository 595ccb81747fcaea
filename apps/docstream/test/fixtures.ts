/** A diploma as the examination office types it (apps/docstream/examples/diploma.json). */
export const diplomaFields = {
  holder_surname: 'Ngo Bassa',
  holder_given_names: 'Esther Hélène',
  date_of_birth: '2008-04-19',
  place_of_birth: 'Édéa',
  diploma: 'bac',
  series: 'C',
  session_year: '2026',
  mention: 'tres-bien',
  score_points: '312',
  score_maximum: '360',
  date_of_deliberation: '2026-07-15',
  date_of_issue: '2026-11-30',
  institution: 'Lycée Leclerc, Yaoundé',
} as const;
