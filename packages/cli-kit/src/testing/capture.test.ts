import { expect, it } from 'vitest';
import { capture } from './capture.js';

it('catches what a command writes, through functions or streams, with its exit code', async () => {
  const outcome = await capture(async (stdout, stderr) => {
    stdout.write('one ');
    await new Promise<void>((resolve) => stdout.stream.write('two\n', () => resolve()));
    stderr.write('oops\n');
    return 3;
  });
  expect(outcome).toEqual({ code: 3, stdout: 'one two\n', stderr: 'oops\n' });
});
