import type { FindingChanges } from '../audit-store';
import { controlById } from '../controls/catalogue';
import type { ControlResult } from '../controls/control';
import type { AuditReport, ReportedFinding as Finding, Severity } from '../findings';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const SEVERITIES: Severity[] = ['high', 'medium', 'low'];
const COLOUR: Record<Severity, string> = { high: '#b3261e', medium: '#c77700', low: '#58708f' };
const AREA_NAMES: Record<string, string> = {
  mail: 'Mail',
  sharing: 'File sharing',
  groups: 'Groups and teams',
  tenant: 'Guests and tenant',
  meetings: 'Meetings',
  teams: 'Teams policies',
};
const areaOf = (f: Finding) => f.rule.split('.')[0]!;

/** A bar per area, split by severity: inline SVG so the file needs nothing else to display. */
function chart(findings: Finding[]): string {
  const areas = Object.keys(AREA_NAMES);
  const counts = areas.map((a) => SEVERITIES.map((s) => findings.filter((f) => areaOf(f) === a && f.severity === s).length));
  const max = Math.max(1, ...counts.map((c) => c.reduce((x, y) => x + y, 0)));
  const rowH = 28;
  const bars = areas
    .map((a, i) => {
      let x = 170;
      const parts = counts[i]!.map((n, j) => {
        const w = (n / max) * 380;
        const rect = n
          ? `<rect x="${x.toFixed(1)}" y="${i * rowH + 6}" width="${w.toFixed(1)}" height="16" fill="${COLOUR[SEVERITIES[j]!]}"><title>${n} ${SEVERITIES[j]}</title></rect>`
          : '';
        x += w;
        return rect;
      });
      const total = counts[i]!.reduce((p, q) => p + q, 0);
      return `<text x="160" y="${i * rowH + 19}" text-anchor="end">${AREA_NAMES[a]}</text>${parts.join('')}<text x="${(x + 6).toFixed(1)}" y="${i * rowH + 19}">${total}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="Findings by area and severity" width="600" height="${areas.length * rowH + 8}" font-family="sans-serif" font-size="13">${bars}</svg>`;
}

const RESULT: Record<ControlResult['status'], string> = { pass: 'pass', fail: 'fail', 'not-checked': 'not checked' };

/** Every control of the catalogue and its result: a pass is shown as a pass, not as silence. */
function controlsTable(report: AuditReport): string {
  const title = (id: string) => controlById(id)?.title ?? '';
  const rows = report.controls
    .map(
      (c) =>
        `<tr class="${c.status}"><td>${esc(c.control)}</td><td>${esc(title(c.control))}</td><td>${RESULT[c.status]}${c.status === 'fail' ? ` (${c.findings})` : ''}</td><td>${esc(c.reason ?? '')}</td></tr>`,
    )
    .join('');
  const count = (s: ControlResult['status']) => report.controls.filter((c) => c.status === s).length;
  return `<h2>Controls</h2><p>${count('pass')} pass, ${count('fail')} fail, ${count('not-checked')} not checked.</p><table><tr><th>Control</th><th>What the policy needs</th><th>Result</th><th>Note</th></tr>${rows}</table>`;
}

export function reportHtml(report: AuditReport, school: string, changes?: FindingChanges): string {
  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length;
  const notChecked = report.coverage.filter((c) => c.status !== 'checked');
  const findingRows = report.findings
    .map(
      (f) => `<article class="finding ${f.severity}">
  <h3><span class="sev">${f.severity}</span> ${esc(f.subject.name)}</h3>
  <p>${esc(f.detail)}</p>
  <blockquote><q>${esc(f.policyRef.quote)}</q><br><cite>${esc(f.policyRef.citation)}</cite></blockquote>
  <p><strong>How to fix:</strong> ${esc(f.fix)}</p>
  <p class="rule">${esc(f.control)}: ${esc(f.title)}</p>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>E-safety tenant audit: ${esc(school)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:920px;margin:2em auto;padding:0 1em;color:#222}
.summary{display:flex;gap:1em;margin:1em 0}.summary div{padding:.6em 1em;border-radius:6px;background:#f3f3f3}
.finding{border-left:6px solid #999;padding:.2em 1em;margin:1em 0;background:#fafafa}
.finding.high{border-color:${COLOUR.high}}.finding.medium{border-color:${COLOUR.medium}}.finding.low{border-color:${COLOUR.low}}
.sev{text-transform:uppercase;font-size:.75em;letter-spacing:.05em;color:#fff;background:#555;padding:2px 6px;border-radius:3px}
.high .sev{background:${COLOUR.high}}.medium .sev{background:${COLOUR.medium}}.low .sev{background:${COLOUR.low}}
blockquote{margin:.5em 0;padding:.3em .8em;border-left:3px solid #ccc;color:#444}.rule{color:#777;font-size:.8em}
table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}tr.fail td:nth-child(3){color:${COLOUR.high};font-weight:bold}tr.not-checked td:nth-child(3){color:#777}
@media print{.finding{break-inside:avoid}}
</style></head><body>
<h1>E-safety tenant audit: ${esc(school)}</h1>
<p>Run from ${esc(report.startedAt)} to ${esc(report.finishedAt)} (tenant ${esc(report.tenantId)}).</p>
<section class="summary" aria-label="Summary">
  <div><strong>${report.findings.length}</strong> findings</div>
  ${SEVERITIES.map((s) => `<div><strong>${count(s)}</strong> ${s}</div>`).join('\n  ')}
  ${changes ? `<div><strong>${changes.new.length}</strong> new, <strong>${changes.resolved.length}</strong> resolved since the last run</div>` : ''}
</section>
${chart(report.findings)}
${controlsTable(report)}
${notChecked.length ? `<h2>Not checked</h2><p>These parts of the policy could not be checked, or only in part (the reason says which part), so they are not known to pass:</p><table><tr><th>Check</th><th>Why</th></tr>${notChecked.map((c) => `<tr><td>${esc(c.check)}</td><td>${esc(c.reason ?? '')}</td></tr>`).join('')}</table>` : ''}
<h2>Findings</h2>
${findingRows || '<p>No findings: every checked part of the policy holds.</p>'}
<h2>How this was measured</h2>
<p>${report.stats.requests} Microsoft Graph requests (${report.stats.batches} batches), ${report.stats.throttled} throttled and retried, about ${report.stats.resourceUnits} SharePoint resource units.</p>
</body></html>
`;
}
