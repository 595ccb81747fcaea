/** What long work reports as it goes: a phase name and a count; the CLI draws it, tests record it. */
export type ProgressListener = (phase: ProgressPhase, done: number, total: number) => void;

export type ProgressPhase = 'sealing' | 'writing' | 'checking' | 'applying';
