/** The languages of the platform's commands. */
export type Language = 'en' | 'fr';

export const languages: readonly Language[] = ['en', 'fr'];

function isLanguage(value: string | undefined): value is Language {
  return value === 'en' || value === 'fr';
}

/**
 * The language a command line asks for with `--lang en|fr` (or `--lang=fr`), read before commander
 * parses it: the help and the usage errors commander prints while parsing must already be in that
 * language. Anything after `--` is an operand, not an option; a value that is not a language gives
 * `undefined` (commander then refuses it as an invalid choice, in the language of the environment).
 */
export function languageFlag(argv: readonly string[], flag = '--lang'): Language | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--') return undefined;
    if (arg === flag) return isLanguage(argv[index + 1]) ? (argv[index + 1] as Language) : undefined;
    if (arg?.startsWith(`${flag}=`)) {
      const value = arg.slice(flag.length + 1);
      return isLanguage(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * The language of a command: the flag if it names one, else the command's own variable (`XM_LANG`,
 * say) if it names one, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, in POSIX order): French
 * when it starts with `fr`, English otherwise.
 */
export function pickLanguage(options: {
  readonly flag?: string | undefined;
  readonly variable?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Language {
  const { flag, variable, env } = options;
  if (isLanguage(flag)) return flag;
  const fromVariable = variable === undefined ? undefined : env[variable];
  if (isLanguage(fromVariable)) return fromVariable;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
