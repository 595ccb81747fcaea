import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { redact } from '@xmcomm/schema';
import { type ErrorParams, XmServerError } from './errors.js';

/**
 * Containers in hand by default (receiving connections of `run`): batches of up to half of them,
 * so that one batch fills while the previous one commits. 256 rather than 128: with 128 the
 * national benchmark left a quarter of its two cores idle, the server waiting for batches to fill
 * (docs/decisions/2026-11-22-benchmark-runs-amd-host.md, the national runs of 21:34).
 */
export const defaultConcurrency = 256;

/** The settings xmserver runs with, whatever they came from. Holds no secret but inside URLs from the environment. */
export interface ServerConfig {
  readonly dataDir: string;
  /** Both schemas (`xm_system` confidential, `xm_data` exchanged) live in this one database. */
  readonly databaseUrl: string;
  /**
   * The database as configured, before XM_DATABASE_PASSWORD is put into it: what `init` keeps in
   * xmserver.json (without any password) and what messages name.
   */
  readonly databaseLocation: string;
  /** The data directory's xmserver.json: where it is, whether it exists, the database it names. */
  readonly file: { readonly path: string; readonly found: boolean; readonly databaseUrl: string | undefined };
  readonly brokerUrl: string | undefined;
  /** The `{server}` segment of the MQTT topics. */
  readonly serverName: string;
  /** Seconds between housekeeping rounds of `run` (10-300). */
  readonly housekeepingSeconds: number;
  /** Port of /metrics and /healthz while `run` is up; 0 disables them. */
  readonly metricsPort: number;
  /** Containers `run` handles at once (1-64): receiving broker connections, and database connections to match. */
  readonly concurrency: number;
  readonly logLevel: LogLevel;
  /** Where each setting came from, for `xmserver config` and for diagnosing surprises. */
  readonly sources: { readonly [K in ConfigKey]: ConfigSource };
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
export type ConfigSource = 'default' | 'file' | 'env' | 'flag';
export type ConfigKey =
  | 'databaseUrl'
  | 'brokerUrl'
  | 'serverName'
  | 'housekeepingSeconds'
  | 'metricsPort'
  | 'concurrency'
  | 'logLevel';

/** What may be written in `xmserver.json`; the same keys may come from the environment and flags. */
export type FileSettings = Partial<{
  databaseUrl: string;
  brokerUrl: string;
  serverName: string;
  housekeepingSeconds: number;
  metricsPort: number;
  concurrency: number;
  logLevel: LogLevel;
}>;

export const configFileName = 'xmserver.json';

const envNames: { readonly [K in ConfigKey]: string } = {
  databaseUrl: 'XM_DATABASE_URL',
  brokerUrl: 'XM_BROKER_URL',
  serverName: 'XM_SERVER_NAME',
  housekeepingSeconds: 'XM_HOUSEKEEPING_SECONDS',
  metricsPort: 'XM_METRICS_PORT',
  concurrency: 'XM_CONCURRENCY',
  logLevel: 'XM_LOG_LEVEL',
};

export interface ConfigInputs {
  /** `--data-dir`; else `XM_DATA_DIR`; else `./xmserver-data`. */
  readonly dataDir?: string | undefined;
  readonly flags?: FileSettings;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * Resolves the configuration: defaults < the file in the data directory < environment < flags.
 * Secrets (database and broker passwords) are accepted from the environment or from files named by
 * `*_FILE` variables only: a password in the configuration file or on the command line is refused,
 * since both end up readable by others (backups, `ps`, shell history).
 */
export async function loadConfig(inputs: ConfigInputs = {}): Promise<ServerConfig> {
  const env = inputs.env ?? process.env;
  const dataDir = resolve(inputs.cwd ?? process.cwd(), inputs.dataDir ?? env.XM_DATA_DIR ?? 'xmserver-data');
  const { settings: file, found } = await readConfigFile(dataDir);
  const flags = inputs.flags ?? {};
  const sources = {} as { [K in ConfigKey]: ConfigSource };

  const pick = <K extends ConfigKey>(key: K, parse: (raw: unknown, where: string) => FileSettings[K]) => {
    const flag = flags[key];
    if (flag !== undefined) {
      sources[key] = 'flag';
      return parse(flag, `--${kebab(key)}`);
    }
    const fromEnv = env[envNames[key]];
    if (fromEnv !== undefined && fromEnv !== '') {
      sources[key] = 'env';
      return parse(fromEnv, envNames[key]);
    }
    if (file[key] !== undefined) {
      sources[key] = 'file';
      return parse(file[key], `${configFileName}: ${key}`);
    }
    sources[key] = 'default';
    return undefined;
  };

  const databaseUrl = pick('databaseUrl', url) ?? defaultDatabaseLocation(dataDir);
  const brokerUrl = pick('brokerUrl', url);
  const serverName = pick('serverName', name) ?? 'xmserver';
  const housekeepingSeconds = pick('housekeepingSeconds', integerIn(10, 300)) ?? 60;
  const metricsPort = pick('metricsPort', integerIn(0, 65535)) ?? 9464;
  const concurrency = pick('concurrency', integerIn(1, 1024)) ?? defaultConcurrency;
  const logLevel = pick('logLevel', level) ?? 'info';

  for (const key of ['databaseUrl', 'brokerUrl'] as const) {
    const value = key === 'databaseUrl' ? databaseUrl : brokerUrl;
    if (value && (sources[key] === 'file' || sources[key] === 'flag') && hasPassword(value)) {
      throw new XmServerError('secret-in-config', `${key} carries a password`, {
        params: {
          where: sources[key] === 'file' ? join(dataDir, configFileName) : `--${kebab(key)}`,
          hint:
            key === 'databaseUrl'
              ? 'XM_DATABASE_PASSWORD or XM_DATABASE_PASSWORD_FILE'
              : 'XM_BROKER_PASSWORD_FILE',
        },
      });
    }
  }

  return {
    dataDir,
    databaseUrl: await withPassword(databaseUrl, env, 'XM_DATABASE_PASSWORD'),
    databaseLocation: databaseUrl,
    file: {
      path: join(dataDir, configFileName),
      found,
      databaseUrl: file.databaseUrl === undefined ? undefined : url(file.databaseUrl, configFileName),
    },
    brokerUrl,
    serverName,
    housekeepingSeconds,
    metricsPort,
    concurrency,
    logLevel,
    sources,
  };
}

/** Reads a secret from `NAME` or from the file named by `NAME_FILE` (trailing newline dropped). */
export async function readSecret(env: NodeJS.ProcessEnv, name: string): Promise<string | undefined> {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const path = env[`${name}_FILE`];
  if (!path) return undefined;
  try {
    return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch (cause) {
    throw new XmServerError('config-invalid', `cannot read ${name}_FILE`, {
      cause,
      params: { detail: `${name}_FILE=${path} cannot be read.` },
    });
  }
}

/** The embedded database of a data directory whose xmserver.json names none. */
export const defaultDatabaseLocation = (dataDir: string) => join(dataDir, 'database');

const isPostgres = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** A database location without its password: what may be kept in xmserver.json. */
export function withoutPassword(location: string): string {
  if (!isPostgres(location)) return location;
  try {
    const target = new URL(location);
    if (target.password === '') return location;
    target.password = '';
    return target.toString();
  } catch {
    // Not a URL the parser reads: nothing of it is kept that could be a password.
    return redact(location);
  }
}

/**
 * Whether two settings name the same database: PostgreSQL URLs compared without their password
 * (and with the default port), embedded directories by their absolute path.
 */
export function sameDatabase(a: string, b: string, cwd: string = process.cwd()): boolean {
  return databaseIdentity(a, cwd) === databaseIdentity(b, cwd);
}

function databaseIdentity(location: string, cwd: string): string {
  if (isPostgres(location)) {
    try {
      const target = new URL(location);
      const params = [...target.searchParams.entries()].sort().map(([k, v]) => `${k}=${v}`);
      return `postgres://${decodeURIComponent(target.username)}@${target.hostname.toLowerCase()}:${target.port || '5432'}${decodeURIComponent(target.pathname)}?${params.join('&')}`;
    } catch {
      return location;
    }
  }
  if (location === 'memory://') return location;
  return resolve(cwd, location.startsWith('file://') ? new URL(location).pathname : location);
}

/** The setting that named the database, for messages. */
export const settingOf = { flag: '--database-url', env: 'XM_DATABASE_URL' } as const;

/**
 * What the `not-initialised` message says: which database was looked at, where that setting came
 * from, and what to do, in English and French.
 */
export function notInitialisedParams(config: ServerConfig): ErrorParams {
  const database = redact(config.databaseLocation);
  const { file } = config;
  const source = config.sources.databaseUrl;
  const from =
    source === 'flag' || source === 'env'
      ? { en: `given by ${settingOf[source]}`, fr: `donnée par ${settingOf[source]}` }
      : source === 'file'
        ? { en: `named in ${file.path}`, fr: `nommée dans ${file.path}` }
        : {
            en: `the embedded default of the data directory ${config.dataDir}, whose ${configFileName} names no other`,
            fr: `la base intégrée par défaut du répertoire de données ${config.dataDir}, dont le ${configFileName} n'en nomme pas d'autre`,
          };
  let hint: { en: string; fr: string };
  if ((source === 'flag' || source === 'env') && file.databaseUrl !== undefined) {
    const kept = redact(file.databaseUrl);
    hint = {
      en: `${file.path} names the database ${kept}: leave out ${settingOf[source]} to use it. Nothing was created.`,
      fr: `${file.path} nomme la base ${kept} : omettez ${settingOf[source]} pour l'utiliser. Rien n'a été créé.`,
    };
  } else if (source === 'flag' || source === 'env') {
    hint = {
      en: `Run "xmserver init" with the same ${settingOf[source]} to initialise it (init keeps it in ${file.path}). Nothing was created.`,
      fr: `Lancez « xmserver init » avec le même ${settingOf[source]} pour l'initialiser (init la garde dans ${file.path}). Rien n'a été créé.`,
    };
  } else if (source === 'file') {
    hint = {
      en: `Run "xmserver init" with this data directory to initialise it; if the database has moved, correct "databaseUrl" in ${file.path}. Nothing was created.`,
      fr: `Lancez « xmserver init » avec ce répertoire de données pour l'initialiser ; si la base a été déplacée, corrigez « databaseUrl » dans ${file.path}. Rien n'a été créé.`,
    };
  } else {
    hint = {
      en: `Run "xmserver init" to create it there (with --database-url or XM_DATABASE_URL to use PostgreSQL instead), or give the data directory of an existing server with --data-dir or XM_DATA_DIR. Nothing was created.`,
      fr: `Lancez « xmserver init » pour l'y créer (avec --database-url ou XM_DATABASE_URL pour utiliser PostgreSQL), ou donnez le répertoire de données d'un serveur existant avec --data-dir ou XM_DATA_DIR. Rien n'a été créé.`,
    };
  }
  return {
    dataDir: config.dataDir,
    database,
    from: from.en,
    fromFr: from.fr,
    hint: hint.en,
    hintFr: hint.fr,
  };
}

async function readConfigFile(dataDir: string): Promise<{ settings: FileSettings; found: boolean }> {
  const path = join(dataDir, configFileName);
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { settings: {}, found: false };
    throw new XmServerError('config-invalid', `cannot read ${path}`, {
      cause,
      params: { detail: `${path} cannot be read.` },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new XmServerError('config-invalid', `${path} is not JSON`, {
      cause,
      params: { detail: `${path} is not valid JSON.` },
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new XmServerError('config-invalid', `${path} is not an object`, {
      params: { detail: `${path} must hold a JSON object.` },
    });
  }
  const known = new Set<string>(Object.keys(envNames));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw new XmServerError('config-invalid', `unknown key ${key}`, {
        params: { detail: `${path}: unknown setting "${key}" (known: ${[...known].join(', ')}).` },
      });
    }
  }
  return { settings: parsed as FileSettings, found: true };
}

async function withPassword(databaseUrl: string, env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const password = await readSecret(env, name);
  if (!password || !/^postgres(ql)?:\/\//i.test(databaseUrl)) return databaseUrl;
  const target = new URL(databaseUrl);
  if (target.password) return databaseUrl;
  target.password = password;
  return target.toString();
}

function hasPassword(value: string): boolean {
  try {
    return new URL(value).password !== '';
  } catch {
    return false;
  }
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function invalid(where: string, detail: string): XmServerError {
  return new XmServerError('config-invalid', `${where}: ${detail}`, {
    params: { detail: `${where}: ${detail}` },
  });
}

function url(raw: unknown, where: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid(where, 'expected a URL or a path.');
  return raw.trim();
}

function name(raw: unknown, where: string): string {
  if (typeof raw !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(raw)) {
    throw invalid(
      where,
      'expected 1-64 letters, digits, dots, dashes or underscores (it is a topic segment).',
    );
  }
  return raw;
}

function integerIn(min: number, max: number) {
  return (raw: unknown, where: string): number => {
    const value =
      typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw invalid(where, `expected a whole number from ${min} to ${max}, got ${String(raw)}.`);
    }
    return value;
  };
}

function level(raw: unknown, where: string): LogLevel {
  if (typeof raw !== 'string' || !(logLevels as readonly string[]).includes(raw)) {
    throw invalid(where, `expected one of ${logLevels.join(', ')}.`);
  }
  return raw as LogLevel;
}
