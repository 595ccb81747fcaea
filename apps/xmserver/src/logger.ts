import { createRequire } from 'node:module';
import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout is the command's output, which scripts read), readable
 * lines when stderr is a terminal. `XM_LOG_FORMAT=json` forces JSON, `pretty` forces lines.
 * Secrets never reach a log: URLs are redacted by the caller and these keys are censored anyway.
 */
export function createLogger(level: LogLevel, env: NodeJS.ProcessEnv = process.env): Logger {
  const format = env.XM_LOG_FORMAT ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const options = {
    level,
    base: { service: 'xmserver' },
    redact: {
      paths: ['password', '*.password', 'passphrase', '*.passphrase', 'key', '*.key'],
      censor: '[secret]',
    },
  };
  if (format === 'pretty') {
    // Required here: only a terminal needs it, and loading it slows every command's start.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return pino(
      options,
      pretty({ destination: 2, sync: true, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' }),
    );
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
