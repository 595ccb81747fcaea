import { describe, expect, test } from 'vitest';
import {
  assumedLink,
  type BatchSettings,
  chooseBatch,
  containerByteLimit,
  defaultBatchSettings,
  drainRate,
  resendDelayMs,
  serverContainerLimits,
} from './batching.js';

const iridium = { bytesPerSecond: 22_000 / 8, bytesPerRecord: 36 };
const thuraya = { bytesPerSecond: 15_000 / 8, bytesPerRecord: 36 };
const lan = { bytesPerSecond: 10_000_000, bytesPerRecord: 36 };
// The table's figures are worked out for 10 s of link a container; the default (15 s) has its own test.
const settings = (changes: Partial<BatchSettings> = {}): BatchSettings => ({
  ...defaultBatchSettings,
  containerSeconds: 10,
  ...changes,
});

describe('chooseBatch', () => {
  test.each([
    // pending, link, settings, rows per container, containers
    { name: 'one act goes alone, at once', pending: 1, link: iridium, s: settings(), rows: 1, containers: 1 },
    {
      name: 'a few acts go in one container',
      pending: 30,
      link: iridium,
      s: settings(),
      rows: 30,
      containers: 1,
    },
    // 10 s of 2,750 B/s at 36 B an act: 763 acts fit; 2,000 make 3 containers of 667.
    {
      name: 'a long queue on Iridium',
      pending: 2000,
      link: iridium,
      s: settings(),
      rows: 667,
      containers: 3,
    },
    // 10 s of 1,875 B/s: 520 fit; 2,000 make 4 of 500.
    {
      name: 'the same queue on Thuraya',
      pending: 2000,
      link: thuraya,
      s: settings(),
      rows: 500,
      containers: 4,
    },
    {
      name: 'split evenly, not 520 + 10',
      pending: 530,
      link: thuraya,
      s: settings(),
      rows: 265,
      containers: 2,
    },
    {
      name: 'before any measurement: Thuraya and 40 B an act',
      pending: 2000,
      link: {},
      s: settings(),
      rows: 400,
      containers: 5,
    },
    {
      name: '--max-rows is a ceiling',
      pending: 2000,
      link: iridium,
      s: settings({ maxRows: 200 }),
      rows: 200,
      containers: 10,
    },
    {
      name: 'a ceiling above the link budget changes nothing',
      pending: 2000,
      link: iridium,
      s: settings({ maxRows: 5000 }),
      rows: 667,
      containers: 3,
    },
    {
      name: 'one record per container',
      pending: 5,
      link: iridium,
      s: settings({ maxRows: 1 }),
      rows: 1,
      containers: 5,
    },
    {
      name: 'longer containers when allowed',
      pending: 2000,
      link: iridium,
      s: settings({ containerSeconds: 30 }),
      rows: 2000,
      containers: 1,
    },
    {
      name: 'a fast link: up to the server’s row limit',
      pending: 25_000,
      link: lan,
      s: settings(),
      rows: 8334,
      containers: 3,
    },
    {
      name: 'a large record: at least one per container',
      pending: 3,
      link: { bytesPerSecond: 100, bytesPerRecord: 50_000 },
      s: settings(),
      rows: 1,
      containers: 3,
    },
  ])('$name', ({ pending, link, s, rows, containers }) => {
    const batch = chooseBatch(pending, link, s);
    expect({ rows: batch.maxRows, containers: batch.containers }).toEqual({ rows, containers });
    expect(batch.maxRows).toBeLessThanOrEqual(serverContainerLimits.maxRows);
    expect(batch.maxBytes).toBeLessThanOrEqual(serverContainerLimits.maxBytes);
  });

  test('by default a container is 15 s of link: 2,000 acts in 2 on Iridium, 3 on Thuraya, 3 before any measurement', () => {
    const shape = (link: Parameters<typeof chooseBatch>[1]) => {
      const batch = chooseBatch(2000, link, defaultBatchSettings);
      return [batch.containers, batch.maxRows];
    };
    expect(shape(iridium)).toEqual([2, 1000]);
    expect(shape(thuraya)).toEqual([3, 667]);
    expect(shape({})).toEqual([3, 667]);
  });

  test('the byte limit is the link budget and half again, within the server’s', () => {
    expect(chooseBatch(100, iridium, settings()).maxBytes).toBe(Math.ceil(27_500 * 1.5));
    expect(chooseBatch(100, { bytesPerSecond: 100 }, settings()).maxBytes).toBe(6144);
    expect(chooseBatch(100, lan, settings()).maxBytes).toBe(containerByteLimit);
    expect(containerByteLimit).toBeLessThan(1_000_000);
  });
});

describe('resendDelayMs', () => {
  test.each([
    { name: 'a small container: the setting', bytes: 700, link: iridium, s: settings(), ms: 30_000 },
    // 27.5 KB at 2,750 B/s is 10 s of link: three times that.
    { name: 'a 10 s container on Iridium', bytes: 27_500, link: iridium, s: settings(), ms: 30_000 },
    { name: 'a 64 KiB container on Thuraya', bytes: 65_536, link: thuraya, s: settings(), ms: 104_858 },
    { name: 'no measurement: the assumed link', bytes: 18_750, link: {}, s: settings(), ms: 30_000 },
    {
      name: 'a longer setting wins',
      bytes: 700,
      link: iridium,
      s: settings({ resendAfterMs: 300_000 }),
      ms: 300_000,
    },
    {
      name: 'a shorter setting, a slow link',
      bytes: 20_000,
      link: { bytesPerSecond: 500 },
      s: settings({ resendAfterMs: 5_000 }),
      ms: 120_000,
    },
    {
      name: 'a stalled measure (1 byte a second) counts as the slowest link, 75 bytes a second',
      bytes: 6_000,
      link: { bytesPerSecond: 1 },
      s: settings({ resendAfterMs: 30_000 }),
      ms: 240_000,
    },
    {
      name: 'a stalled measure and a big container: the ceiling',
      bytes: 600_000,
      link: { bytesPerSecond: 1 },
      s: settings({ resendAfterMs: 30_000 }),
      ms: 300_000,
    },
  ])('$name', ({ bytes, link, s, ms }) => {
    expect(resendDelayMs(bytes, link, s)).toBe(ms);
  });
});

describe('drainRate', () => {
  test.each([
    {
      name: 'from the publish',
      sample: { bytes: 27_500, startedAt: 1000, previousAckAt: 0, ackAt: 11_000 },
      previous: undefined,
      rate: 2750,
    },
    {
      name: 'from the previous PUBACK when later',
      sample: { bytes: 27_500, startedAt: 0, previousAckAt: 10_000, ackAt: 20_000 },
      previous: undefined,
      rate: 2750,
    },
    {
      name: 'blended with the last estimate',
      sample: { bytes: 10_000, startedAt: 0, previousAckAt: 0, ackAt: 5000 },
      previous: 3000,
      rate: 2500,
    },
    {
      name: 'too short to tell: the last estimate',
      sample: { bytes: 10_000, startedAt: 0, previousAckAt: 0, ackAt: 5 },
      previous: 3000,
      rate: 3000,
    },
    {
      name: 'too small to tell',
      sample: { bytes: 100, startedAt: 0, previousAckAt: 0, ackAt: 1000 },
      previous: undefined,
      rate: undefined,
    },
  ])('$name', ({ sample, previous, rate }) => {
    expect(drainRate(sample, previous)).toBe(rate);
  });

  test('the assumed link is the slowest terminal', () => {
    expect(assumedLink.bytesPerSecond).toBe(1875);
  });
});
