import { birthAct, genericAct } from '../bench/acts.js';
import type { PayloadInput } from '../src/index.js';

/** What the format-2 fixtures were made from (scripts/format-2-fixtures.ts) and are checked against (format-2.test.ts). */
const header = {
  sender: 'CE0001',
  recipient: null,
  sequence: 7,
  containerId: '019aa8a4-6c00-7000-8000-000000000001',
};
export const inputs: Record<string, PayloadInput> = {
  'payload-v2-births-1': { ...header, kind: 'rows', table: 'births', rows: [birthAct(1)] },
  'payload-v2-births-20': {
    ...header,
    kind: 'rows',
    table: 'births',
    rows: Array.from({ length: 20 }, (_, i) => birthAct(i + 1)),
  },
  'payload-v2-generic-3': {
    ...header,
    kind: 'rows',
    table: 'acts_elsewhere',
    rows: [genericAct(1), genericAct(2), genericAct(3)],
  },
};
