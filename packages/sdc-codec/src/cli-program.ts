import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { languageFlag, localizeProgram, pickLanguage } from '@xmcomm/cli-kit';
import { inspectCertificate, TrustStore } from '@xmcomm/pki';
import { Command, CommanderError, Option } from 'commander';
import { addDictionaryCommands, heldDictionaries, packingDictionary } from './cli-dictionary.js';
import { CliFailure, EXIT_CODES, readBytes, readText, write } from './cli-files.js';
import { createDecoder, createEncoder } from './container.js';
import { describeSdcError, SdcError } from './errors.js';
import { helpFr } from './help-fr.js';
import {
  DECODE_COMMAND,
  INSPECTION_STEPS,
  type InspectionResult,
  type InspectionStep,
  inspectContainer,
  NOT_CHECKED_WITHOUT_KEY,
} from './inspect.js';
import { decodePayload, encodePayload, type Row } from './payload/index.js';
import { uuidv7 } from './uuid.js';

/** `--pass env:VAR` or `--pass file:PATH`: never the secret itself on the command line. */
function readPassphrase(spec: string | undefined): string | undefined {
  if (spec === undefined) return undefined;
  if (spec.startsWith('env:')) {
    const value = process.env[spec.slice(4)];
    if (value === undefined)
      throw new CliFailure(EXIT_CODES.usage, `environment variable ${spec.slice(4)} is not set`);
    return value;
  }
  if (spec.startsWith('file:')) return readText(spec.slice(5)).split(/\r?\n/)[0] ?? '';
  throw new CliFailure(
    EXIT_CODES.usage,
    '--pass takes env:VAR or file:PATH (a passphrase never goes on the command line)',
  );
}

/** Containers `decode` opens at once from a directory. */
const decodeWindow = 16;

export { EXIT_CODES };

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readRows(path: string): Row[] {
  let rows: unknown;
  try {
    rows = JSON.parse(readText(path));
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(EXIT_CODES['invalid-input'], `${path} is not JSON: ${(error as Error).message}`);
  }
  if (
    !Array.isArray(rows) ||
    rows.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))
  ) {
    throw new CliFailure(EXIT_CODES['invalid-input'], `${path} must hold a JSON array of objects`);
  }
  return rows as Row[];
}

/** What `--json` prints: bytes as base64, dates as ISO 8601 (through their toJSON). */
function jsonLine(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
    // `this[key]` is the value before toJSON: a Buffer would otherwise arrive as {type, data}.
    const original = this[key];
    return original instanceof Uint8Array ? Buffer.from(original).toString('base64') : item;
  });
}

const stepWords: Readonly<Record<InspectionStep, string>> = {
  armour: 'armour',
  'outer-element': 'outer structure complete, nothing after it',
  'content-info': 'CMS ContentInfo',
  envelope: 'envelope fields',
  'recipient-infos': 'recipient infos',
  'encrypted-content-info': 'encrypted content info',
  mac: 'GCM tag',
};

const notCheckedLine =
  '  not checked without the recipient key: the signature and the signer, the payload (header and rows), ' +
  'and whether the encrypted content, a wrapped key or the tag were altered';

/** What `sdc inspect` prints: the verdict first, then what was checked and what was not. */
function inspectionLines(file: string, result: InspectionResult): string[] {
  if (!result.ok) {
    const { damage } = result;
    const whole = damage.checked.map((step) => stepWords[step]);
    const notReached = INSPECTION_STEPS.filter((step) => !damage.checked.includes(step)).map(
      (step) => stepWords[step],
    );
    return [
      `${file}: DAMAGED (${damage.damage}): ${damage.detail}`,
      `  ${describeSdcError(result.error.code, 'en')} / ${describeSdcError(result.error.code, 'fr')}`,
      `  whole before the damage: ${whole.length > 0 ? whole.join('; ') : 'nothing'}`,
      `  not checked past it: ${notReached.join('; ')}`,
      notCheckedLine,
    ];
  }
  const info = result.value;
  return [
    `${file}: structure intact: ${info.contentType} (${info.cipher}), ${info.armor} armour, ${info.bytes} bytes, inner ${info.innerContentType}`,
    `  checked: ${info.checked.map((step) => stepWords[step]).join('; ')}`,
    `  sizes: total ${info.sizes.total}, recipient infos ${info.sizes.recipientInfos}, encrypted content ${info.sizes.encryptedContent}, mac ${info.sizes.mac}`,
    ...info.recipients.map(
      (recipient) =>
        `  recipient ${recipient.type} ${recipient.keyEncryption}: ${recipient.identifiers.join(', ')}`,
    ),
    ...(info.outsideArmour
      ? [`  note: ${info.outsideArmour} character(s) of text outside the armour, which decoders ignore`]
      : []),
    notCheckedLine,
    `  to check them: ${DECODE_COMMAND}`,
  ];
}

function sdcFailure(error: SdcError): CliFailure {
  return new CliFailure(EXIT_CODES[error.code], `${error.code}: ${error.message}`);
}

/** The sender's matricule: the certificate's serialNumber attribute (how pki issues them), else its CN. */
function matriculeOf(pem: string): string | undefined {
  const info = inspectCertificate(pem);
  if (!info.ok) throw new CliFailure(EXIT_CODES['invalid-key'], 'the signer certificate cannot be read');
  return info.value.matricule ?? /CN=([^,\n/]+)/.exec(new X509Certificate(pem).subject)?.[1]?.trim();
}

/** Where `sdc` reads its environment and writes: the process's, or a test's. */
export interface SdcIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: SdcIo = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** What the commands of one run share: the exit code `decode` sets for a container it refused. */
interface RunState {
  exitCode: number;
  /** The user's language, for the commands' own messages. */
  language?: 'en' | 'fr';
}

/** The whole `sdc` command tree, in English; `runSdc` puts it in the user's language. */
export function buildProgram(io: SdcIo = processIo, state: RunState = { exitCode: 0 }): Command {
  const out = (line: string) => io.stdout(`${line}\n`);
  const err = (line: string) => io.stderr(`${line}\n`);

  const program = new Command('sdc')
    .description(
      'Secure Data Containers: encode, decode and inspect signed and encrypted CMS containers of rows.',
    )
    .addOption(
      new Option(
        '--lang <lang>',
        'language of the help and of usage errors (default $XM_LANG, then the locale)',
      ).choices(['en', 'fr']),
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) });

  program
    .command('encode')
    .description('sign and encrypt rows from a JSON array into one or more containers')
    .requiredOption('--table <name>', 'table name (a table the contract does not know travels generically)')
    .requiredOption('--in <rows.json>', 'JSON array of row objects')
    .requiredOption('--cert <signer.pem>', "signer's certificate")
    .requiredOption('--key <signer-key.pem>', "signer's private key (PKCS#8 PEM, encrypted or not)")
    .option('--pass <env:VAR|file:PATH>', 'where to read the key passphrase')
    .requiredOption(
      '--to <recipient.pem>',
      'recipient certificate (repeat for several)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .addOption(new Option('--cipher <cipher>', 'content encryption').choices(['gcm', 'cbc']).default('gcm'))
    .addOption(new Option('--armor <armor>', 'output armour').choices(['binary', 'text']).default('binary'))
    .option('--batch <n>', 'rows per container (default: all in one)', (value) => Number.parseInt(value, 10))
    .option(
      '--from <matricule>',
      "sender matricule (default: the signer certificate's serialNumber, else its CN)",
    )
    .option('--recipient-matricule <matricule>', 'recipient matricule written in the header')
    .option(
      '--sequence <n>',
      'sequence number of the first container',
      (value) => Number.parseInt(value, 10),
      1,
    )
    .option('--embed-cert', "embed the signer's certificate")
    .option('--json', 'print one JSON line per container written')
    .option(
      '--dictionary <dict.json|none>',
      "the deployment's dictionary to pack words with (default: the Cameroon list), or none",
    )
    .requiredOption('--out <file|dir>', 'output file, or directory for one file per container')
    .action((options) => {
      const rows = readRows(options.in);
      const batch = options.batch ?? Math.max(1, rows.length);
      if (!Number.isSafeInteger(batch) || batch < 1)
        throw new CliFailure(EXIT_CODES.usage, '--batch must be a positive integer');
      const certificate = readText(options.cert);
      const encoder = createEncoder({
        signer: {
          privateKey: readText(options.key),
          certificate,
          ...(options.pass ? { passphrase: readPassphrase(options.pass) } : {}),
          ...(options.embedCert ? { embedCertificates: true } : {}),
        },
        recipients: (options.to as string[]).map((path) => ({ certificate: readText(path) })),
        cipher: options.cipher,
        armor: options.armor,
        ...packingDictionary(options.dictionary),
      });
      const sender = options.from ?? matriculeOf(certificate);
      if (!sender) throw new CliFailure(EXIT_CODES.usage, '--from is required (the certificate has no CN)');
      const chunks: Row[][] = [];
      for (let i = 0; i < rows.length; i += batch) chunks.push(rows.slice(i, i + batch));
      const toDirectory = isDirectory(options.out) || options.out.endsWith('/') || chunks.length > 1;
      if (toDirectory) mkdirSync(options.out, { recursive: true });
      chunks.forEach((chunk, index) => {
        const containerId = uuidv7();
        const encoded = encoder.encode({
          containerId,
          kind: 'rows',
          table: options.table,
          rows: chunk,
          sender,
          recipient: options.recipientMatricule ?? null,
          sequence: options.sequence + index,
        });
        // UUIDv7 file names sort in creation order.
        const path = toDirectory ? join(options.out, `${containerId}.sdc`) : options.out;
        write(path, encoded);
        const summary = {
          file: path,
          containerId,
          rows: chunk.length,
          bytes: encoded.length,
          sequence: options.sequence + index,
        };
        if (options.json) out(JSON.stringify(summary));
        else err(`wrote ${path}: ${chunk.length} row(s), ${encoded.length} bytes`);
      });
    });

  program
    .command('decode')
    .description('decrypt, verify and print containers (a directory is decoded in one process)')
    .requiredOption('--in <file|dir>', 'container file, or directory of containers')
    .requiredOption('--cert <recipient.pem>', "recipient's certificate")
    .requiredOption('--key <recipient-key.pem>', "recipient's private key")
    .option('--pass <env:VAR|file:PATH>', 'where to read the key passphrase')
    .requiredOption(
      '--trust <ca.pem>',
      'CA certificate(s) signers must chain to (repeat for several)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option(
      '--signer <signer.pem>',
      'known signer certificate (repeat for several)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option(
      '--crl <crl.pem>',
      'certificate revocation list (repeat for several)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option('--accept-embedded', 'also accept a signer certificate embedded in the container')
    .option('--json', 'print one JSON object per container per line')
    .option(
      '--dictionary <dict.json>',
      'a dictionary containers may be packed with (repeat for several; the Cameroon list is always held)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .action(async (options) => {
      const decoder = createDecoder({
        recipient: {
          privateKey: readText(options.key),
          certificate: readText(options.cert),
          ...(options.pass ? { passphrase: readPassphrase(options.pass) } : {}),
        },
        signers: trustStore(options.trust, options.signer, options.crl, Boolean(options.acceptEmbedded)),
        dictionaries: heldDictionaries(options.dictionary),
      });
      const files = isDirectory(options.in)
        ? readdirSync(options.in)
            .filter((name) => !name.startsWith('.'))
            .sort()
            .map((name) => join(options.in, name))
            .filter((path) => statSync(path).isFile())
        : [options.in];
      // A few files at once, their signatures checked on the thread pool meanwhile; printed in order.
      for (let at = 0; at < files.length; at += decodeWindow) {
        const window = files.slice(at, at + decodeWindow);
        const decoded = await Promise.all(window.map((path) => decoder.decode(readBytes(path))));
        for (const [i, result] of decoded.entries()) {
          const file = window[i] as string;
          if (result.ok) {
            const { header, body, signer, cipher } = result.value;
            if (options.json)
              out(jsonLine({ file, ok: true, header, ...body, signer: signer.subject, cipher }));
            else {
              const count = 'rows' in body ? `${body.rows.length} row(s) of ${header.table}` : body.kind;
              out(
                `${basename(file)}: ok, ${count} from ${header.sender} #${header.sequence} (${header.containerId}), signed by ${signer.subject}`,
              );
            }
          } else {
            if (state.exitCode === 0) state.exitCode = EXIT_CODES[result.error.code];
            if (options.json)
              out(
                JSON.stringify({
                  file,
                  ok: false,
                  error: { code: result.error.code, message: result.error.message },
                }),
              );
            else
              out(
                `${basename(file)}: ${result.error.code}: ${result.error.message} / ${describeSdcError(result.error.code, 'fr')}`,
              );
          }
        }
      }
    });

  program
    .command('inspect')
    .description(
      'check the structure of a container without any key, and say what only `sdc decode` can check',
    )
    .argument('<file>', 'container file')
    .option('--json', 'print JSON')
    .action((file: string, options) => {
      const result = inspectContainer(readBytes(file));
      const report = result.ok ? result.value : result.damage;
      if (options.json) {
        out(
          JSON.stringify({
            file,
            ...report,
            ...(result.ok ? {} : { error: { code: result.error.code, message: result.error.message } }),
            notChecked: NOT_CHECKED_WITHOUT_KEY,
            checkWith: DECODE_COMMAND,
          }),
        );
      } else {
        for (const line of inspectionLines(file, result)) out(line);
      }
      // Damaged is never normal: the error's code from the table (malformed, unsupported-algorithm).
      if (!result.ok) state.exitCode = EXIT_CODES[result.error.code];
    });

  const payload = program
    .command('payload')
    .description('the inner payload alone, for signing and encrypting with other tools');
  payload
    .command('encode')
    .description('encode rows into a bare payload, neither signed nor encrypted')
    .requiredOption('--table <name>', 'table name')
    .requiredOption('--in <rows.json>', 'JSON array of row objects')
    .requiredOption('--from <matricule>', 'sender matricule')
    .option('--recipient-matricule <matricule>', 'recipient matricule')
    .option('--sequence <n>', 'sequence number', (value) => Number.parseInt(value, 10), 1)
    .option(
      '--dictionary <dict.json|none>',
      "the deployment's dictionary to pack words with (default: the Cameroon list), or none",
    )
    .requiredOption('--out <payload.bin>', 'output file')
    .action((options) => {
      const bytes = encodePayload(
        {
          kind: 'rows',
          table: options.table,
          rows: readRows(options.in),
          sender: options.from,
          recipient: options.recipientMatricule ?? null,
          sequence: options.sequence,
        },
        packingDictionary(options.dictionary),
      );
      write(options.out, bytes);
      err(`wrote ${options.out}: ${bytes.length} bytes`);
    });
  payload
    .command('decode')
    .description('print a bare payload as one JSON line')
    .requiredOption('--in <payload.bin>', 'payload file')
    .option(
      '--dictionary <dict.json>',
      'a dictionary containers may be packed with (repeat for several; the Cameroon list is always held)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .action((options) => {
      const result = decodePayload(readBytes(options.in), {
        dictionaries: heldDictionaries(options.dictionary),
      });
      if (!result.ok) throw sdcFailure(result.error);
      out(jsonLine({ header: result.value.header, ...result.value.body }));
    });

  addDictionaryCommands(program, err, () => state.language ?? 'en');

  return program;
}

/** Runs one `sdc` command line and returns its exit code (never exits the process). */
export async function runSdc(argv: readonly string[], io: SdcIo = processIo): Promise<number> {
  // The language is read before parsing: commander prints the help and usage errors while it parses.
  const language = pickLanguage({ flag: languageFlag(argv), variable: 'XM_LANG', env: io.env });
  const state: RunState = { exitCode: 0, language };
  const program = localizeProgram(buildProgram(io, state), { language, french: helpFr });
  const err = (line: string) => io.stderr(`${line}\n`);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    // A usage error was printed as one line and the help hint.
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
        ? 0
        : EXIT_CODES.usage;
    }
    if (error instanceof CliFailure) {
      err(`sdc: ${language === 'fr' && error.french ? error.french : error.message}`);
      return error.exitCode;
    }
    if (SdcError.isInstance(error)) {
      err(`sdc: ${error.code}: ${error.message}`);
      return EXIT_CODES[error.code];
    }
    err(`sdc: ${(error as Error).message}`);
    return 1;
  }
}

/**
 * The signers `sdc decode` accepts: @xmcomm/pki's TrustStore over the files given (anchors, CRLs,
 * known signers). Only the --signer certificates may sign unless --accept-embedded is given.
 */
function trustStore(
  anchors: string[],
  signers: string[],
  crls: string[],
  acceptEmbedded: boolean,
): TrustStore {
  const store = new TrustStore({ requireRegistration: !acceptEmbedded });
  const check = (result: { ok: boolean; error?: { message: string } }, path: string) => {
    if (!result.ok)
      throw new CliFailure(EXIT_CODES['invalid-key'], `${path}: ${result.error?.message ?? 'unusable'}`);
  };
  for (const path of anchors) check(store.addTrustAnchor(readText(path)), path);
  for (const path of crls) check(store.loadRevocationList(readBytes(path)), path);
  for (const path of signers)
    for (const pem of splitPem(readText(path))) check(store.registerCertificate(pem), path);
  return store;
}

function splitPem(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new CliFailure(EXIT_CODES['invalid-key'], 'no certificate found');
  return blocks;
}
