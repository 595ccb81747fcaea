import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { type Access, commandPath, handler, XmCommand } from './command.js';
import type { Io } from './context.js';
import { XmServerError } from './errors.js';
import { buildProgram } from './program.js';

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
const io: Io = { env: {}, cwd: process.cwd(), stdout: silent, stderr: silent };

function leaves(command: XmCommand): XmCommand[] {
  const children = command.commands as XmCommand[];
  return children.length === 0 ? [command] : children.flatMap(leaves);
}

function level(access: Access | undefined): string {
  if (!access) return 'undeclared';
  if (access.kind !== 'operator') return access.kind;
  if (typeof access.privilege === 'number') return String(access.privilege);
  return `${access.privilege({})} or ${access.privilege({ grantRole: 'stats' })}`;
}

describe('who may run each command', () => {
  test('every command declares it: 3 supervisor, 2 operator, 1 read-only; none for run, demo and broker test', () => {
    const program = buildProgram(io) as XmCommand;
    const declared = Object.fromEntries(leaves(program).map((c) => [commandPath(c), level(c.access)]));
    expect(declared).toEqual({
      init: 'own',
      login: 'own',
      logout: 'own',
      whoami: '1',
      'user add': '3',
      'user list': '3',
      'user show': '3',
      'user set-privilege': '3',
      'user passwd': '3',
      'user suspend': '3',
      'user unlock': '3',
      'client add': '2',
      'client list': '1',
      'client show': '1',
      'client update': '2',
      'client set-status': '2',
      'client services': '3',
      'client delete': '2',
      'client credit': '2',
      'client statement': '1',
      'client bill': '2',
      'client profile': '2',
      'client message': '2',
      'client enrol': '3',
      'client cert': '3',
      'pki trust add': '3',
      'pki trust list': '3',
      'pki revoke': '3',
      'pki crl': '3',
      'signatory add': '3',
      'signatory list': '1',
      'signatory revoke': '3',
      'trust-list export': '3',
      'trust-list send': '2',
      run: 'none',
      demo: 'none',
      'forms install': '3',
      'forms list': '1',
      'licence show': '1',
      'licence activate': '3',
      'broker test': 'none',
      'broker sync': '3',
      'tariff set': '2',
      'tariff list': '1',
      'tariff end': '2',
      monitor: '1',
      // The acts report is read-only; creating a database role for statistics is a supervisor's.
      report: '1 or 3',
      audit: '1',
      console: 'own',
    });
  });

  test('a command that declares nothing is not run', async () => {
    let ran = false;
    const program = new XmCommand('x');
    program.command('forgotten').action(
      handler(io, async () => {
        ran = true;
      }),
    );
    const refused = await program
      .parseAsync(['forgotten'], { from: 'user' })
      .catch((error: unknown) => error);
    expect(XmServerError.isInstance(refused) && refused.code).toBe('internal');
    expect(ran).toBe(false);
  });
});
