import { policyHtml } from './policy-html';
import { clausesOf } from './policy-text';

describe('a policy shown to people (the parent page)', () => {
  it('is formatted: headings, numbered clauses and emphasis, never raw # and ##', () => {
    const html = policyHtml('# Acceptable Use\n\n## Clauses\n1. I will **only** use my own account.\n2. I will tell a teacher.\n');
    expect(html).toContain('<h1>Acceptable Use</h1>');
    expect(html).toContain('<h2>Clauses</h2>');
    expect(html).toContain('<li>I will <strong>only</strong> use my own account.</li>');
    expect(html).not.toContain('#');
  });

  it('cannot carry a script or a javascript: link, whatever the policy file holds', () => {
    const html = policyHtml('<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<script|<img|href="javascript:/i);
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('a policy on its card (Adaptive Card TextBlocks have no headings)', () => {
  it('shows the numbered clauses, or the first paragraph, never a raw heading', () => {
    expect(clausesOf('# Acceptable Use\n\n## Clauses\n1. I will **only** use my own account.\n')).toEqual(['I will **only** use my own account.']);
    expect(clausesOf('# Acceptable Use\n\nBe kind online.\n\n## More\nText')).toEqual(['Be kind online.']);
  });
});
