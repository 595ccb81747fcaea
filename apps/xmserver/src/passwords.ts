import { readFile } from 'node:fs/promises';
import { readSecret } from './config.js';
import { XmServerError } from './errors.js';
import { checkNewPassword } from './operator-auth.js';

// Hashing is @xmcomm/pki's (hashPassword, verifyPassword); this file only reads passwords.

export interface PasswordSource {
  /** `--password-file` (or `--new-password-file`): the first line of that file. */
  readonly file?: string | undefined;
  /** The option that named the file, for the message when it cannot be read. */
  readonly fileOption?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Asks twice on a terminal; absent when stdin is not a terminal. */
  readonly prompt?: ((question: string) => Promise<string>) | undefined;
  readonly labels: { readonly password: string; readonly confirm: string };
}

/**
 * A new password, from a file, from `XM_NEW_PASSWORD` (or the file `XM_NEW_PASSWORD_FILE` names),
 * or typed twice at a prompt: never from an argument, which `ps` and shell history would reveal.
 * (`XM_PASSWORD` is the operator's own current password: see cli-identity.ts.)
 */
export async function readNewPassword(source: PasswordSource): Promise<string> {
  let password: string | undefined;
  if (source.file) {
    try {
      password = (await readFile(source.file, 'utf8')).split(/\r?\n/, 1)[0];
    } catch (cause) {
      throw new XmServerError('invalid-argument', 'password file unreadable', {
        cause,
        params: {
          name: source.fileOption ?? '--password-file',
          value: source.file,
          hint: 'The file cannot be read.',
          hintFr: 'Le fichier est illisible.',
        },
      });
    }
  } else {
    // From the environment, or the file XM_NEW_PASSWORD_FILE names; else typed twice.
    password = await readSecret(source.env, 'XM_NEW_PASSWORD');
    if (password === undefined && source.prompt) {
      password = await source.prompt(source.labels.password);
      const again = await source.prompt(source.labels.confirm);
      if (again !== password) throw new XmServerError('passwords-differ', 'passwords differ');
    }
  }
  if (!password) {
    throw new XmServerError('password-required', 'no password given', {
      params: { variable: 'XM_NEW_PASSWORD', file: source.fileOption ?? '--password-file' },
    });
  }
  checkNewPassword(password);
  return password;
}

/** Reads a line from a terminal, without echoing it unless `echo` (a login name, not a password). */
export function promptHidden(question: string, options: { echo?: boolean } = {}): Promise<string> {
  const input = process.stdin;
  return new Promise((resolvePromise, reject) => {
    process.stderr.write(question);
    let value = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (error?: Error) => {
      input.setRawMode(wasRaw);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolvePromise(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new XmServerError('password-required', 'prompt interrupted'));
        if (char === '\u007f' || char === '\b') {
          if (options.echo && value.length > 0) process.stderr.write('\b \b');
          value = value.slice(0, -1);
        } else {
          value += char;
          if (options.echo) process.stderr.write(char);
        }
      }
    };
    input.on('data', onData);
  });
}
