/**
 * What a deployment's dictionary saves: bytes per act, compressed payload and whole container,
 * with no dictionary, with the Cameroon list and with a dictionary built from a separate sample of
 * the same deployment's rows, on the project's act generator (Cameroon) and on a variant with
 * Senegal's names and places. Sizes only, no timing: the figures are the same on every machine.
 * Run: npm run bench:dictionary -w @xmcomm/sdc-codec (about 10 s).
 */
import { generateKeyPairSync } from 'node:crypto';
import { cameroonDictionary, type Dictionary } from '@xmcomm/contract';
import {
  type ActLists,
  cameroonActLists,
  createActGenerator,
  senegalActLists,
  travellingRow,
} from '@xmcomm/schema/testing';
import { buildDictionary, createEncoder, encodePayload, type PayloadInput, type Row } from '../src/index.js';

/** Acts of `sites` centres, `perSite` each, as their exports put them in containers. */
function acts(lists: ActLists, seed: number, sites: readonly string[], perSite: number): Row[][] {
  const next = createActGenerator(seed, lists);
  return sites.map((matricule) =>
    Array.from({ length: perSite }, (_, i) => travellingRow(next(matricule, i + 1), i + 1)),
  );
}

const siteNames = (prefix: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(from + i).padStart(4, '0')}`);

const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const recipient = generateKeyPairSync('ec', { namedCurve: 'P-256' });

interface Sizes {
  payloadSingle: number;
  containerSingle: number;
  payloadBatch: number;
  containerBatch: number;
}

/** Bytes per act: one act per container (over every test act), and in containers of 50. */
function measure(bySite: readonly Row[][], dictionary: Dictionary | null): Sizes {
  const encoder = createEncoder({
    signer: { privateKey: signer.privateKey },
    recipients: [{ publicKey: recipient.publicKey }],
    dictionary,
  });
  const input = (sender: string, rows: readonly Row[], sequence: number): PayloadInput => ({
    kind: 'rows',
    table: 'births',
    rows,
    sender,
    recipient: null,
    sequence,
    createdAt: new Date('2026-11-30T10:00:00Z'),
  });
  let singles = 0;
  let payloadSingle = 0;
  let containerSingle = 0;
  let batched = 0;
  let payloadBatch = 0;
  let containerBatch = 0;
  bySite.forEach((rows, site) => {
    const sender = `S${site}`;
    rows.forEach((row, i) => {
      const one = input(sender, [row], i);
      payloadSingle += encodePayload(one, { dictionary }).length;
      containerSingle += (encoder.encode(one) as Uint8Array).length;
      singles += 1;
    });
    for (let at = 0; at + 50 <= rows.length; at += 50) {
      const batch = input(sender, rows.slice(at, at + 50), at);
      payloadBatch += encodePayload(batch, { dictionary }).length;
      containerBatch += (encoder.encode(batch) as Uint8Array).length;
      batched += 50;
    }
  });
  return {
    payloadSingle: payloadSingle / singles,
    containerSingle: containerSingle / singles,
    payloadBatch: payloadBatch / batched,
    containerBatch: containerBatch / batched,
  };
}

const budgets = [100, 300, 1000];
const countries: readonly [string, ActLists, string][] = [
  ['Cameroon (createActGenerator)', cameroonActLists, 'CE'],
  ['Senegal (senegalActLists)', senegalActLists, 'SN'],
];

const fixed = (n: number) => n.toFixed(1).padStart(8);
const lines: string[] = [];
lines.push(
  '| data | dictionary | words | bytes | payload, 1 act | container, 1 act | payload, per act in 50 | container, per act in 50 |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
);
for (const [label, lists, prefix] of countries) {
  // Training: 5,000 acts of 50 sites; test: 1,000 acts of 10 other sites, another seed.
  const training = acts(lists, 11, siteNames(prefix, 1001, 50), 100).flat();
  const test = acts(lists, 2026, siteNames(prefix, 1, 10), 100);
  const candidates: [string, Dictionary | null][] = [
    ['none', null],
    ['Cameroon list', cameroonDictionary],
  ];
  for (const maxWords of budgets) {
    const { dictionary } = buildDictionary([{ table: 'births', rows: training }], {
      name: `trained-${maxWords}`,
      maxWords,
    });
    candidates.push([`trained, ${maxWords} words max`, dictionary]);
  }
  for (const [name, dictionary] of candidates) {
    const sizes = measure(test, dictionary);
    const words = dictionary?.words.length ?? 0;
    const bytes = dictionary ? dictionary.words.reduce((sum, w) => sum + Buffer.byteLength(w) + 1, 0) : 0;
    lines.push(
      `| ${label} | ${name} | ${words} | ${bytes} | ${fixed(sizes.payloadSingle)} | ${fixed(sizes.containerSingle)} | ${fixed(sizes.payloadBatch)} | ${fixed(sizes.containerBatch)} |`,
    );
  }
}
console.log('Bytes per birth act (averages over 1,000 test acts of 10 sites; batches of 50 from one site)');
console.log(lines.join('\n'));
