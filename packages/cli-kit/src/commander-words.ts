/**
 * Commander's own words in French. Commander 14 has no catalogue: its help and errors are English
 * strings in its code. The help titles go through `Help.styleTitle` and the built-in options keep
 * commander's English description, so both are recognised by their English text here.
 */

/** Section titles, as commander passes them to `Help.styleTitle`. */
export const frenchTitles: Readonly<Record<string, string>> = {
  'Usage:': 'Utilisation :',
  'Arguments:': 'Arguments :',
  'Options:': 'Options :',
  'Global Options:': 'Options globales :',
  'Commands:': 'Commandes :',
};

/** Descriptions of what commander adds itself: `-h, --help`, `help [command]`, `-V, --version`. */
export const frenchBuiltins: Readonly<Record<string, string>> = {
  'display help for command': "afficher l'aide de la commande",
  'output the version number': 'afficher le numéro de version',
};

/** The notes commander appends to an option's or argument's description, `(default: 60)`. */
export const frenchDetails = {
  choices: 'choix',
  default: 'par défaut',
  preset: 'valeur sans argument',
  env: 'env',
} as const;
