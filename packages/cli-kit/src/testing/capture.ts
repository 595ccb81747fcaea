import { Writable } from 'node:stream';

/** Text a command writes, caught either as a function (`io.stdout(text)`) or as a stream. */
export interface CapturedText {
  readonly write: (text: string) => void;
  readonly stream: Writable;
  text(): string;
}

/** What one in-process run of a command gave. */
export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A place for a command's output, for an io that takes functions (`write`) or streams (`stream`). */
export function captureText(): CapturedText {
  const chunks: string[] = [];
  return {
    write: (text) => {
      chunks.push(text);
    },
    stream: new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

/**
 * Runs a command in this process with its output caught:
 * `capture((stdout, stderr) => runSdc(argv, { env, stdout: stdout.write, stderr: stderr.write }))`.
 */
export async function capture(
  run: (stdout: CapturedText, stderr: CapturedText) => Promise<number>,
): Promise<Outcome> {
  const stdout = captureText();
  const stderr = captureText();
  const code = await run(stdout, stderr);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
