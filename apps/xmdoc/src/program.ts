import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import { type Language, languageFlag, localizeProgram, pickLanguage } from '@xmcomm/cli-kit';
import {
  DEFAULT_TEMPLATE_FOLDER,
  DEFAULT_TEMPLATES,
  type DocumentData,
  DocumentsError,
  describeSealVerification,
  loadTemplateFile,
  qrSizeOf,
  readSealInput,
  renderPdf,
  type SealVerification,
  sealReportLines,
  verifySeal,
} from '@xmcomm/documents';
import { certificateDer } from '@xmcomm/pki';
import { Command, CommanderError, Option } from 'commander';
import { XmdocError } from './errors.js';
import { exitCodes, invalidSealExitCode, successExitCode, usageExitCode } from './exit-codes.js';
import { helpFr } from './help-fr.js';
import { describeError, words } from './messages.js';
import { writeVerifierPage } from './page.js';
import { renderWithSeal } from './render-command.js';
import { trustListFor } from './trust-state.js';

/** What a command needs from the process, so tests can run the CLI in-process. */
export interface Io {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

interface RunState {
  exitCode: number;
  lang: Language;
  json: boolean;
}

const languageOf = (flag: string | undefined, env: NodeJS.ProcessEnv) =>
  pickLanguage({ flag, variable: 'XM_LANG', env });

function verificationLines(result: SealVerification, lang: Language, trust: string): string[] {
  return [...sealReportLines(result, lang), `  ${trust}`];
}

function writeAtomically(file: string, bytes: Uint8Array | string): void {
  try {
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
  } catch (cause) {
    throw new XmdocError('cannot-write', file, { cause });
  }
}

/** A CA certificate file, PEM or DER, as DER. */
function readCaFile(file: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new XmdocError('input-missing', file, { cause });
  }
  const der = certificateDer(bytes.includes('-----BEGIN') ? bytes.toString('utf8') : new Uint8Array(bytes));
  if (!der.ok)
    throw new XmdocError('invalid-argument', `--ca ${file}: ${der.error.code}`, { cause: der.error });
  return der.value;
}

function readJson(file: string): DocumentData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new XmdocError('input-missing', file, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new XmdocError('invalid-argument', `${file}: ${(cause as Error).message.split('\n')[0]}`, {
      cause,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new XmdocError('invalid-argument', `${file}: an object of field names and values is expected`);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
}

/** The whole `xmdoc` command tree, in English; `run` puts it in the user's language. */
export function buildProgram(
  io: Io,
  state: RunState = { exitCode: 0, lang: languageOf(undefined, io.env), json: false },
): Command {
  const program = new Command('xmdoc')
    .description(
      "Printed documents: verify a document's QR seal offline, render templates, write the offline verifier page.",
    )
    .option('--json', 'print the result as JSON on stdout')
    .addOption(
      new Option('--lang <lang>', 'language of messages (default $XM_LANG, then the locale)').choices([
        'en',
        'fr',
      ]),
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  program.hook('preAction', () => {
    const options = program.opts<{ json?: boolean; lang?: string }>();
    state.json = options.json === true;
    state.lang = languageOf(options.lang, io.env);
  });
  const out = (lines: readonly string[], value: unknown, code = successExitCode) => {
    io.stdout.write(state.json ? `${JSON.stringify(value, null, 2)}\n` : `${lines.join('\n')}\n`);
    state.exitCode = code;
  };

  program
    .command('verify')
    .description("check a document's seal: VALID (exit 0) or INVALID with the reason (exit 1)")
    .argument('<input>', 'the QR text, or a PNG/JPEG image or a PDF of the document')
    .option('--trust <file>', 'the trust list (xmserver trust-list export); kept for next time if newer')
    .option('--at <date>', 'check as at this date (ISO 8601), default now')
    .option('--ca <file>', 'the national CA certificate: refuse any trust list under another CA')
    .action(async (input: string, options: { trust?: string; at?: string; ca?: string }) => {
      const at = options.at === undefined ? new Date() : new Date(options.at);
      if (Number.isNaN(at.getTime())) throw new XmdocError('invalid-argument', `--at ${options.at}`);
      const held = trustListFor(options.trust, io.env, options.ca ? readCaFile(options.ca) : undefined);
      const { text, source } = await readSealInput(input);
      const result = verifySeal(text, held.list, { at });
      const w = words[state.lang];
      const list = held.list.content;
      const trust = `${w.trustList}: ${list.issuer} ${w.sequence} ${list.sequence}, ${w.expires} ${list.expiresAt.toISOString().slice(0, 10)}${held.replaced ? ` (${w.keptNewer})` : ''}`;
      out(
        verificationLines(result, state.lang, trust),
        {
          command: 'verify',
          source,
          ...result,
          message: describeSealVerification(result, state.lang),
          trustList: {
            issuer: list.issuer,
            sequence: list.sequence,
            expiresAt: list.expiresAt,
            replaced: held.replaced,
          },
        },
        result.status === 'VALID' ? successExitCode : invalidSealExitCode,
      );
    });

  program
    .command('render')
    .description('render a template with data to a PDF, for template authors (a specimen box without --key)')
    .requiredOption('--template <file>', 'the template (JSON)')
    .requiredOption('--data <file>', 'the data (JSON object of field names and values)')
    .requiredOption('--out <file>', 'the PDF to write')
    .option(
      '--key <file>',
      'sign a real seal with this EC P-256 key, PKCS#8 PEM (passphrase in XM_KEY_PASSPHRASE)',
    )
    .option('--certificate <file>', "the signing key's certificate (PEM or DER)")
    .option('--issuer <matricule>', "the issuing site's matricule", 'SPECIMEN')
    .option('--niu <niu>', "the record's number", '0000-0000-000000')
    .option('--document-id <id>', "the document's id", 'SPECIMEN')
    .option('--date <date>', 'the issue date (ISO 8601), default now; fix it for the same bytes each time')
    .addOption(
      new Option(
        '--language <language>',
        "language of formatted values ({{date|date}}, {{code|label}}); default the template's",
      ).choices(['fr', 'en']),
    )
    .action(
      async (options: {
        language?: 'fr' | 'en';
        template: string;
        data: string;
        out: string;
        key?: string;
        certificate?: string;
        issuer: string;
        niu: string;
        documentId: string;
        date?: string;
      }) => {
        const issuedAt = options.date === undefined ? new Date() : new Date(options.date);
        if (Number.isNaN(issuedAt.getTime()))
          throw new XmdocError('invalid-argument', `--date ${options.date}`);
        if ((options.key === undefined) !== (options.certificate === undefined)) {
          throw new XmdocError('invalid-argument', '--key and --certificate go together');
        }
        const template = loadTemplateFile(options.template);
        const data = readJson(options.data);
        const rendered = options.key
          ? await renderWithSeal({
              ...options,
              key: options.key,
              certificate: options.certificate!,
              template,
              data,
              issuedAt,
              env: io.env,
            })
          : {
              pdf: await renderPdf({
                template,
                data: {
                  niu: options.niu,
                  documentId: options.documentId,
                  issuer: options.issuer,
                  issuedOn: issuedAt.toISOString().slice(0, 10),
                  ...data,
                },
                createdAt: issuedAt,
                ...(options.language ? { language: options.language } : {}),
              }),
              seal: null,
            };
        writeAtomically(options.out, rendered.pdf);
        const qr = rendered.seal ? qrSizeOf(rendered.seal) : null;
        out(
          [
            `${options.out} ${words[state.lang].written} (${rendered.pdf.length} bytes${qr ? `, seal ${rendered.seal!.length} characters, QR version ${qr.version}` : ''})`,
          ],
          {
            command: 'render',
            out: options.out,
            bytes: rendered.pdf.length,
            seal: rendered.seal,
            qrVersion: qr?.version ?? null,
          },
        );
      },
    );

  program
    .command('templates')
    .description('list the default templates, or copy one (with its sample data and logo) to edit it')
    .option('--copy <id>', 'the default template to copy')
    .option('--to <dir>', 'where to copy it', '.')
    .action((options: { copy?: string; to: string }) => {
      if (options.copy === undefined) {
        out([...DEFAULT_TEMPLATES], { command: 'templates', templates: DEFAULT_TEMPLATES });
        return;
      }
      if (!(DEFAULT_TEMPLATES as readonly string[]).includes(options.copy)) {
        throw new XmdocError(
          'invalid-argument',
          `--copy ${options.copy}: one of ${DEFAULT_TEMPLATES.join(', ')}`,
        );
      }
      const files = [`${options.copy}.json`, `${options.copy.split('-')[0]}.sample.json`, 'logo.png'];
      try {
        mkdirSync(options.to, { recursive: true });
        for (const file of files) {
          const target = join(options.to, file);
          if (!existsSync(target)) copyFileSync(join(DEFAULT_TEMPLATE_FOLDER, file), target);
        }
      } catch (cause) {
        throw new XmdocError('cannot-write', options.to, { cause });
      }
      out(
        files.map((file) => join(options.to, basename(file))),
        { command: 'templates', copied: files.map((file) => join(options.to, file)) },
      );
    });

  program
    .command('page')
    .description('write the offline verifier page: one HTML file, no network, for a phone or a PC')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option(
      '--ca <file>',
      'the national CA certificate: the page then refuses any trust list under another CA',
    )
    .action((options: { out: string; ca?: string }) => {
      writeAtomically(options.out, writeVerifierPage(options.ca ? readCaFile(options.ca) : undefined));
      out([`${options.out} ${words[state.lang].written}`], { command: 'page', out: options.out });
    });
  return program;
}

function known(error: unknown): XmdocError {
  if (XmdocError.isInstance(error)) return error;
  if (DocumentsError.isInstance(error)) {
    const code =
      error.code === 'trust-list-expired' || error.code === 'invalid-argument'
        ? 'invalid-argument'
        : error.code;
    return new XmdocError(code, error.detail ?? '', { cause: error });
  }
  return new XmdocError('internal', error instanceof Error ? error.message : String(error), { cause: error });
}

/** Runs one `xmdoc` command line and returns the exit code instead of exiting, for tests. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  // The language is read before parsing: commander prints the help and usage errors while it parses.
  const state: RunState = {
    exitCode: successExitCode,
    lang: languageOf(languageFlag(argv), io.env),
    json: false,
  };
  const program = localizeProgram(buildProgram(io, state), { language: state.lang, french: helpFr });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? successExitCode : usageExitCode;
    const failure = known(error);
    const message = describeError(failure.code, failure.detail, state.lang);
    if (state.json)
      io.stdout.write(`${JSON.stringify({ error: { code: failure.code, message } }, null, 2)}\n`);
    io.stderr.write(`xmdoc: ${message}\n`);
    return exitCodes[failure.code];
  }
}
