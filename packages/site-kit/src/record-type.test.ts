import { expect, test } from 'vitest';
import { fieldLabelsFrom } from './record-type.js';

test('field labels from [english, french] pairs, with an enumeration its values', () => {
  expect(
    fieldLabelsFrom(
      { surname: ['Surname', 'Nom'], sex: ['Sex', 'Sexe'] },
      { sex: { male: ['Male', 'Masculin'], female: ['Female', 'Féminin'] } },
    ),
  ).toEqual({
    surname: { label: { en: 'Surname', fr: 'Nom' } },
    sex: {
      label: { en: 'Sex', fr: 'Sexe' },
      values: { male: { en: 'Male', fr: 'Masculin' }, female: { en: 'Female', fr: 'Féminin' } },
    },
  });
});
