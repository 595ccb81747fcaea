// Fixtures for tests and examples in every package: valid rows of the contract.

/** A valid birth act of the contract, for tests and examples in every package. */
export const sampleBirth = {
  child_surname: 'Ngono',
  child_given_names: 'Marie Claire',
  child_sex: 'female',
  date_of_birth: '2024-02-29',
  time_of_birth: '06:45',
  place_of_birth_region: 'Centre',
  place_of_birth_locality: 'Yaoundé',
  place_of_birth_type: 'hospital',
  type_of_birth: 'single',
  weight_at_birth_grams: 3150,
  mother_surname: 'Ngono',
  mother_given_names: 'Béatrice',
  mother_nationality: 'CMR',
  mother_children_born_alive: 2,
  declarant_surname: 'Ngono',
  declarant_relationship: 'mother',
  date_of_declaration: '2024-03-04',
};
