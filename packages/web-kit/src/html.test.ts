import { describe, expect, test } from 'vitest';
import { attribute, escapeHtml, html, raw } from './html.js';

describe('html', () => {
  test('escapes every interpolation', () => {
    const hostile = `<script>alert("x")</script>' onmouseover='x\``;
    expect(html`<p title="${hostile}">${hostile}</p>`.toString()).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#96;</p>',
    );
  });
  test('nests templates and lists without escaping them twice; raw only when asked', () => {
    const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${raw('<hr>')}`.toString()).toBe('<ul><li>a&amp;b</li><li>c</li></ul><hr>');
  });
  test('null, undefined and false render nothing; numbers render', () => {
    expect(html`${null}${undefined}${false}${0}${12n}`.toString()).toBe('012');
  });
  test('attribute is omitted without a value and escaped with one', () => {
    expect(attribute('max', undefined).toString()).toBe('');
    expect(attribute('title', '"x"').toString()).toBe(' title="&quot;x&quot;"');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});
