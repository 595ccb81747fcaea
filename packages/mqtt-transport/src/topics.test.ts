import { describe, expect, it } from 'vitest';
import {
  downTopic,
  parseUpTopic,
  sharedUpSubscription,
  upTopic,
  upWildcard,
  validateName,
} from './topics.js';

describe('topics', () => {
  it('builds the up, down and shared topics of the design', () => {
    expect(upTopic('cjn', 'CEC-0042')).toBe('xm/v1/cjn/up/CEC-0042');
    expect(downTopic('cjn', 'CEC-0042')).toBe('xm/v1/cjn/down/CEC-0042');
    expect(upWildcard('cjn')).toBe('xm/v1/cjn/up/+');
    expect(sharedUpSubscription('cjn')).toBe('$share/xmserver/xm/v1/cjn/up/+');
  });

  it.each([
    '',
    'a/b',
    '+',
    '#',
    'S+1',
    'S#',
    '$SYS',
    'a b',
    'x\u0000y',
    '../up',
    '-lead',
    'é',
    'a'.repeat(65),
  ])('refuses %j as a topic level', (name) => {
    const result = validateName(name);
    expect(result.ok).toBe(false);
    expect(() => upTopic('cjn', name)).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }));
    expect(() => downTopic(name, 'S1')).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }));
  });

  it('reads the matricule of an up topic and never throws on hostile topics', () => {
    expect(parseUpTopic('cjn', 'xm/v1/cjn/up/S001')).toEqual({ ok: true, value: 'S001' });
    for (const topic of [
      'xm/v1/other/up/S001',
      'xm/v1/cjn/down/S001',
      'xm/v1/cjn/up/S001/extra',
      'xm/v1/cjn/up/',
      'xm/v1/cjn/up/+',
      '',
      42,
      null,
    ]) {
      const result = parseUpTopic('cjn', topic);
      expect(result.ok).toBe(false);
    }
  });
});
