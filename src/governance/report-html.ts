import type { Figure, HalfTermReport } from './half-term-report';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const num = (f: Figure) => (f.value === null ? '-' : String(f.value));
/** The figure, with where it came from on hover and in the sources list (numbered). */
function cell(f: Figure, sources: string[]): string {
  sources.push(`${f.source.register}: ${f.source.filter}`);
  return `<td class="n" title="${esc(`${f.source.register}: ${f.source.filter}`)}">${esc(num(f))}<sup>${sources.length}</sup></td>`;
}

/** Horizontal bars in inline SVG: the file needs nothing else to display or print. */
function bars(label: string, items: Array<{ name: string; value: number }>): string {
  if (!items.length) return '';
  const max = Math.max(1, ...items.map((i) => i.value));
  const rowH = 24;
  const body = items
    .map((it, i) => {
      const w = (it.value / max) * 360;
      return `<text x="210" y="${i * rowH + 17}" text-anchor="end">${esc(it.name)}</text><rect x="220" y="${i * rowH + 5}" width="${w.toFixed(1)}" height="14" fill="#4f52b2"></rect><text x="${(226 + w).toFixed(1)}" y="${i * rowH + 17}">${it.value}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="${esc(label)}" width="640" height="${items.length * rowH + 6}" font-family="sans-serif" font-size="12">${body}</svg>`;
}

/**
 * The half-termly report as one self-contained HTML file a clerk can file with the governors'
 * papers (or print to PDF). Numbers only; every number is footnoted with its register and filter.
 */
export function halfTermReportHtml(r: HalfTermReport): string {
  const s: string[] = [];
  const i = r.incidents;
  const cat =
    i.byCategory.map((c) => `<tr><td>${esc(c.category)}</td><td>${esc(c.subCategory)}</td>${cell(c.incidents, s)}</tr>`).join('') ||
    '<tr><td colspan="3">No incidents reported this half-term.</td></tr>';
  const outc = i.byOutcome.map((o) => `<tr><td>${esc(o.outcome)}</td>${cell(o.incidents, s)}</tr>`).join('');
  const esc2 = i.escalations.map((e) => `<tr><td>${esc(e.to)}</td>${cell(e.incidents, s)}</tr>`).join('') || '<tr><td colspan="2">None.</td></tr>';
  const trend = i.trend.map((t) => `<tr><td>${esc(t.halfTerm)}</td>${cell(t.incidents, s)}</tr>`).join('');
  const cov = r.coverage.policies
    .flatMap((p) =>
      p.audiences.length
        ? p.audiences.map(
            (a) =>
              `<tr><td>${esc(p.title)} v${esc(p.version)}</td><td>${esc(a.audience)}</td>${cell(a.accepted, s)}${cell(a.pending, s)}${cell(a.overdue, s)}${cell(a.unreachable, s)}</tr>`,
          )
        : [`<tr><td>${esc(p.title)}</td><td colspan="5">not published yet</td></tr>`],
    )
    .join('');
  const a = r.audit;
  const l = r.lessons;
  const actions = r.actions.map((x) => `<tr><td>${esc(x.action)}</td>${cell(x.count, s)}</tr>`).join('');
  const due =
    r.reviews.due.map((d) => `<tr><td>${esc(d.title)}</td><td>${esc(d.reviewBy)}</td><td>${esc(d.status)}</td></tr>`).join('') ||
    '<tr><td colspan="3">None due.</td></tr>';
  const done =
    r.reviews.done
      .map(
        (d) =>
          `<tr><td>${esc(r.coverage.policies.find((p) => p.policyId === d.policyId)?.title ?? d.policyId)}</td><td>${esc(d.reviewedAt.slice(0, 10))}</td><td>${d.changed ? 'changed, republished' : 'not changed'}</td><td>${esc(d.governorsApprovedOn ?? 'awaiting approval')}</td></tr>`,
      )
      .join('') || '<tr><td colspan="4">None this half-term.</td></tr>';
  const training = r.training
    ? Object.entries(r.training.counts)
        .map(
          ([aud, c]) =>
            `<tr><td>${esc(aud)}</td><td class="n">${c.current}</td><td class="n">${c.expiring}</td><td class="n">${c.expired}</td><td class="n">${c.missing}</td></tr>`,
        )
        .join('')
    : '';
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>${esc(r.school)}: e-safety report, ${esc(r.halfTerm.label)}</title>
<style>
body{font-family:"Segoe UI",system-ui,sans-serif;margin:2rem;color:#242424;max-width:960px}
h1{font-size:1.5rem;margin-bottom:0}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
td.n{text-align:right}sup{color:#666;font-size:.7em;margin-left:2px}.meta{color:#555}ol.sources{font-size:.8rem;color:#444}
@media print{body{margin:1cm}h2{page-break-after:avoid}table{page-break-inside:avoid}}
</style></head><body>
<h1>${esc(r.school)}: half-termly e-safety report</h1>
<p class="meta">${esc(r.halfTerm.label)} (${esc(r.halfTerm.from.slice(0, 10))} to ${esc(new Date(Date.parse(r.halfTerm.to) - 1).toISOString().slice(0, 10))}). Figures as at ${esc(r.asAt.slice(0, 16).replace('T', ' '))} UTC; made ${esc(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC. Numbers only: no one is named. Each number is footnoted with the register it was counted from.</p>

<h2>Incidents</h2>
<p>Reported this half-term: <strong>${esc(num(i.total))}</strong>. Median hours to acknowledge: <strong>${esc(num(i.medianHoursToAcknowledge))}</strong>; to close: <strong>${esc(num(i.medianHoursToClose))}</strong>.</p>
${bars(
  'Incidents by category',
  i.byCategory.map((c) => ({ name: `${c.category}: ${c.subCategory}`, value: c.incidents.value ?? 0 })),
)}
<table><thead><tr><th>Category</th><th>Sub-category</th><th>Incidents</th></tr></thead><tbody>${cat}</tbody></table>
<table><thead><tr><th>Where they stand</th><th>Incidents</th></tr></thead><tbody>${outc}</tbody></table>
<table><thead><tr><th>Escalated to</th><th>Incidents</th></tr></thead><tbody>${esc2}</tbody></table>
<table><thead><tr><th>Half-term</th><th>Incidents reported</th></tr></thead><tbody>${trend}</tbody></table>

<h2>Policy acceptance</h2>
<table><thead><tr><th>Policy</th><th>Audience</th><th>Accepted</th><th>Pending</th><th>Overdue</th><th>Not reachable in Teams</th></tr></thead><tbody>${cov}</tbody></table>

<h2>Tenant audit</h2>
<table><tbody><tr><td>Audit runs</td>${cell(a.runs, s)}</tr><tr><td>Findings open at the last run</td>${cell(a.open, s)}</tr><tr><td>New since the previous half-term</td>${cell(a.new, s)}</tr><tr><td>Resolved since the previous half-term</td>${cell(a.resolved, s)}</tr></tbody></table>
${bars(
  'Findings at each audit run',
  a.trend.map((t) => ({ name: t.finishedAt.slice(0, 10), value: t.high + t.medium + t.low })),
)}

<h2>Remote lessons</h2>
<table><tbody><tr><td>Lessons held</td>${cell(l.held, s)}</tr><tr><td>Recorded</td>${cell(l.recorded, s)}</tr><tr><td>Recording announced</td>${cell(l.announced, s)}</tr></tbody></table>
<p>Share recorded: ${esc(l.recordedShare ?? '-')}%; share announced: ${esc(l.announcedShare ?? '-')}%.</p>

<h2>Actions the school took</h2>
<table><thead><tr><th>Action</th><th>Count</th></tr></thead><tbody>${actions}</tbody></table>

<h2>Policy reviews</h2>
<table><thead><tr><th>Due</th><th>Review by</th><th>Status</th></tr></thead><tbody>${due}</tbody></table>
<table><thead><tr><th>Reviewed</th><th>On</th><th>Outcome</th><th>Approved by governors</th></tr></thead><tbody>${done}</tbody></table>
${r.training ? `<h2>Online-safety training</h2><table><thead><tr><th>Who</th><th>Current</th><th>Refresher due soon</th><th>Expired</th><th>No record</th></tr></thead><tbody>${training}</tbody></table><p class="meta">${esc(r.training.source.register)}: ${esc(r.training.source.filter)}</p>` : ''}

<h2>Where each number came from</h2>
<ol class="sources">${s.map((x) => `<li>${esc(x)}</li>`).join('')}</ol>
</body></html>`;
}
