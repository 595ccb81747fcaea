import type { Text } from './i18n.js';

/** The web layer's own words; each app brings the words of its pages. */
export const webTexts = {
  notFoundTitle: { en: 'Page not found', fr: 'Page introuvable' },
  notFound: { en: 'There is no page at this address.', fr: "Il n'y a pas de page à cette adresse." },
  forbiddenTitle: { en: 'Not allowed', fr: 'Action non permise' },
  forbidden: {
    en: 'Your account does not allow this action. It has been recorded.',
    fr: 'Votre compte ne permet pas cette action. Elle a été enregistrée.',
  },
  csrfTitle: { en: 'Form expired', fr: 'Formulaire expiré' },
  csrf: {
    en: 'This form is no longer valid (it was opened before a new login, or came from elsewhere). Open the page again and repeat.',
    fr: "Ce formulaire n'est plus valable (ouvert avant une nouvelle connexion, ou venu d'ailleurs). Rouvrez la page et recommencez.",
  },
  badRequestTitle: { en: 'Request not understood', fr: 'Requête incomprise' },
  badRequest: {
    en: 'The request could not be read. Go back and try again.',
    fr: "La requête n'a pas pu être lue. Revenez en arrière et réessayez.",
  },
  tooLargeTitle: { en: 'Too much data', fr: 'Trop de données' },
  tooLarge: { en: 'The form sent too much data.', fr: 'Le formulaire a envoyé trop de données.' },
  serverErrorTitle: { en: 'Something went wrong', fr: 'Une erreur est survenue' },
  serverError: {
    en: 'The page could not be shown. Nothing was lost; try again. If it persists, tell the head of centre (reference {reference}).',
    fr: "La page n'a pas pu s'afficher. Rien n'est perdu ; réessayez. Si cela persiste, prévenez le chef de centre (référence {reference}).",
  },
  loginRequiredTitle: { en: 'Please log in', fr: 'Veuillez vous connecter' },
  loginRequired: {
    en: 'Your session has ended (logged out, or unused for too long). Log in again.',
    fr: 'Votre session est terminée (déconnexion, ou inactivité trop longue). Reconnectez-vous.',
  },
  backHome: { en: 'Back to the home page', fr: "Retour à l'accueil" },
  logIn: { en: 'Log in', fr: 'Se connecter' },
  logOut: { en: 'Log out', fr: 'Se déconnecter' },
  language: { en: 'Language', fr: 'Langue' },
  switchTo: { en: 'Français', fr: 'English' },
  skipToContent: { en: 'Skip to content', fr: 'Aller au contenu' },
  required: { en: 'required', fr: 'obligatoire' },
  yes: { en: 'Yes', fr: 'Oui' },
  no: { en: 'No', fr: 'Non' },
  choose: { en: '— choose —', fr: '— choisir —' },
  fieldRequired: { en: 'This field is required.', fr: 'Ce champ est obligatoire.' },
  fieldTooLong: { en: 'At most {max} characters.', fr: '{max} caractères au plus.' },
  fieldNotDate: {
    en: 'Not a date that exists (day, month, year).',
    fr: "Cette date n'existe pas (jour, mois, année).",
  },
  fieldDateBefore: { en: 'Not before {min}.', fr: 'Pas avant le {min}.' },
  fieldDateAfter: { en: 'Not after {max}.', fr: 'Pas après le {max}.' },
  fieldNotTime: { en: 'Not a time (hh:mm).', fr: "Ce n'est pas une heure (hh:mm)." },
  fieldNotInteger: { en: 'A whole number is expected.', fr: 'Un nombre entier est attendu.' },
  fieldNotNumber: { en: 'A number is expected.', fr: 'Un nombre est attendu.' },
  fieldBelowMin: { en: 'At least {min}.', fr: 'Au moins {min}.' },
  fieldAboveMax: { en: 'At most {max}.', fr: 'Au plus {max}.' },
  fieldNotChoice: { en: 'Choose one of the list.', fr: 'Choisissez dans la liste.' },
  formHasErrors: {
    en: 'Some fields need attention: see the messages beside them.',
    fr: 'Certains champs sont à corriger : voyez les messages à côté.',
  },
} satisfies Record<string, Text>;

export type WebTextKey = keyof typeof webTexts;
