import { sampleBirth } from '@xmcomm/schema/testing';

export const birth: Record<string, unknown> = { ...sampleBirth };

export const marriage: Record<string, unknown> = {
  date_of_marriage: '2025-06-14',
  place_of_marriage_region: 'Littoral',
  place_of_marriage_locality: 'Douala',
  marriage_form: 'monogamous',
  spouse1_surname: 'Eto',
  spouse1_given_names: 'Paul',
  spouse1_sex: 'male',
  spouse1_date_of_birth: '1995-01-20',
  spouse1_previous_marital_status: 'never-married',
  spouse2_surname: 'Mbarga',
  spouse2_given_names: 'Aline',
  spouse2_sex: 'female',
  spouse2_date_of_birth: '1997-09-03',
  spouse2_previous_marital_status: 'never-married',
  date_of_registration: '2025-06-14',
};

export const death: Record<string, unknown> = {
  deceased_surname: 'Abena',
  deceased_given_names: 'Joseph',
  deceased_sex: 'male',
  deceased_date_of_birth: '1950-04-02',
  deceased_age_years: 74,
  date_of_death: '2025-01-10',
  place_of_death_region: 'Centre',
  place_of_death_locality: 'Yaoundé',
  place_of_death_type: 'home',
  certifier: 'physician',
  declarant_surname: 'Abena',
  declarant_relationship: 'relative',
  date_of_declaration: '2025-01-12',
};
