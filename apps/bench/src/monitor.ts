import { type ProcessSample, sampleProcess } from './services.js';

export interface Watched {
  readonly label: string;
  /** The processes to add up (PostgreSQL has many); called at each sample. */
  readonly pids: () => readonly number[] | Promise<readonly number[]>;
}

export interface Usage {
  readonly label: string;
  /** Average CPU over the window, in percent of one core (200 = both cores of this machine). */
  readonly cpuPercent: number;
  readonly rssStartBytes: number;
  readonly rssPeakBytes: number;
  readonly rssEndBytes: number;
}

async function total(pids: readonly number[]): Promise<Map<number, ProcessSample>> {
  const samples = new Map<number, ProcessSample>();
  for (const pid of pids) {
    const sample = await sampleProcess(pid);
    if (sample) samples.set(pid, sample);
  }
  return samples;
}

const sum = (samples: Map<number, ProcessSample>, key: keyof ProcessSample) =>
  [...samples.values()].reduce((n, s) => n + s[key], 0);

/** Samples CPU and memory of some processes over a window (every `intervalMs`, and at both ends). */
export class ResourceMonitor {
  readonly #watched: readonly Watched[];
  readonly #start = new Map<string, Map<number, ProcessSample>>();
  readonly #peak = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;

  constructor(watched: readonly Watched[]) {
    this.#watched = watched;
  }

  async start(intervalMs = 500): Promise<void> {
    this.#startedAt = performance.now();
    for (const w of this.#watched) {
      const samples = await total(await w.pids());
      this.#start.set(w.label, samples);
      this.#peak.set(w.label, sum(samples, 'rssBytes'));
    }
    this.#timer = setInterval(() => {
      void this.#sampleAll();
    }, intervalMs);
  }

  async #sampleAll(): Promise<Map<string, Map<number, ProcessSample>>> {
    const all = new Map<string, Map<number, ProcessSample>>();
    for (const w of this.#watched) {
      const samples = await total(await w.pids());
      all.set(w.label, samples);
      this.#peak.set(w.label, Math.max(this.#peak.get(w.label) ?? 0, sum(samples, 'rssBytes')));
    }
    return all;
  }

  async stop(): Promise<Usage[]> {
    clearInterval(this.#timer);
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const end = await this.#sampleAll();
    return this.#watched.map((w) => {
      const before = this.#start.get(w.label) ?? new Map<number, ProcessSample>();
      const after = end.get(w.label) ?? new Map<number, ProcessSample>();
      let cpu = 0;
      // A process born inside the window counts from zero; one that ended inside it is lost.
      for (const [pid, sample] of after) cpu += sample.cpuSeconds - (before.get(pid)?.cpuSeconds ?? 0);
      return {
        label: w.label,
        cpuPercent: seconds > 0 ? (cpu / seconds) * 100 : 0,
        rssStartBytes: sum(before, 'rssBytes'),
        rssPeakBytes: this.#peak.get(w.label) ?? 0,
        rssEndBytes: sum(after, 'rssBytes'),
      };
    });
  }
}
