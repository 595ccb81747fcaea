// The workstations at a clerk's pace (open loop): each one sends a request every 2-5 s on a schedule
// drawn before the run, whether or not its last answer came, and each latency runs from the time the
// request was due, so a server that falls behind shows it (no coordinated omission), where autocannon's
// closed loop measures its own queue.
import { performance } from 'node:perf_hooks';

export interface PlannedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** The status a good answer has. */
  readonly expected: number;
}

export interface OpenLoopRun<Page extends string> {
  readonly times: Map<Page, number[]>;
  readonly errors: number;
  /** Requests sent per second over the run. */
  readonly rate: number;
  /** The latest a request left after its due time, ms (the bench process's own lateness). */
  readonly maxLateness: number;
}

export async function openLoop<Page extends string>(options: {
  readonly base: string;
  readonly workstations: number;
  readonly seconds: number;
  /** Between two requests of one workstation, ms: drawn uniformly. */
  readonly pause: readonly [number, number];
  readonly random: () => number;
  /** The request a workstation sends next (its index), drawn when it is due. */
  readonly next: (workstation: number) => { readonly page: Page; readonly request: PlannedRequest };
}): Promise<OpenLoopRun<Page>> {
  const { random, pause } = options;
  const schedule: { at: number; workstation: number }[] = [];
  for (let workstation = 0; workstation < options.workstations; workstation++) {
    // Each workstation starts somewhere in its first pause, so they do not all start at once.
    for (let at = random() * pause[1]; at < options.seconds * 1000; ) {
      schedule.push({ at, workstation });
      at += pause[0] + random() * (pause[1] - pause[0]);
    }
  }
  schedule.sort((a, b) => a.at - b.at);
  const times = new Map<Page, number[]>();
  let errors = 0;
  let maxLateness = 0;
  const start = performance.now() + 100;
  const sent: Promise<void>[] = [];
  for (const { at, workstation } of schedule) {
    const wait = start + at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const due = start + at;
    maxLateness = Math.max(maxLateness, performance.now() - due);
    const { page, request } = options.next(workstation);
    sent.push(
      (async () => {
        try {
          const answer = await fetch(`${options.base}${request.path}`, {
            method: request.method,
            headers: request.headers,
            redirect: 'manual',
            ...(request.body === undefined ? {} : { body: request.body }),
          });
          await answer.arrayBuffer();
          if (answer.status !== request.expected) errors++;
        } catch {
          errors++;
        }
        const list = times.get(page) ?? [];
        list.push(performance.now() - due);
        times.set(page, list);
      })(),
    );
  }
  await Promise.all(sent);
  return { times, errors, rate: schedule.length / options.seconds, maxLateness };
}
