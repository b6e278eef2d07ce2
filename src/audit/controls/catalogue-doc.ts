import { citeTemplate } from '../policy-references';
import { CONTROLS } from './catalogue';
import type { Control } from './control';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The control table of docs/audit.md, one row a control, written from the catalogue. */
export function controlsMarkdown(controls: readonly Control[] = CONTROLS): string {
  const rows = controls.map((c) => {
    // The template's place for the clause; each school's configuration says where it is in its own policy.
    const clause = citeTemplate(c.clause);
    return `| \`${c.id}\` | ${cell(c.title)} | ${c.severity} | \`${c.rule}\` | \`${c.area}\` | \`${c.clause}\` (template: ${cell(clause.section)}) | ${cell(c.rationale)} | ${cell(c.remediation.adminCentre)}: ${cell(c.remediation.steps.join(' '))} |`;
  });
  return [
    '| control | what the policy needs | severity | finding rule | area | clause | why | how to fix |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

const SECTION = 'audit-controls';

/** Rewrites the `<!-- generated:audit-controls -->` block of a document from the catalogue. */
export function fillControlsSection(doc: string): string {
  const re = new RegExp(`(<!-- generated:${SECTION} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${SECTION} -->)`);
  if (!re.test(doc)) throw new Error(`no <!-- generated:${SECTION} --> block to fill`);
  return doc.replace(re, (_m, a: string, b: string) => `${a}${controlsMarkdown()}${b}`);
}
