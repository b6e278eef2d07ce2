import type { Request, Response, Server } from 'restify';
import type { SchoolConfig } from '../config/school-config';

/**
 * The privacy notice and terms of use the Teams manifest links to (developer.privacyUrl and
 * termsOfUseUrl; Teams' store validation requires both to answer). They say what the app stores,
 * where and for how long, from the school's own configuration, so they never drift from it.
 * The list of records follows src/storage/schema.ts table by table.
 */

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What each table holds, in the words a parent or a governor would use. */
export const RECORDS_KEPT: Array<{ what: string; tables: string[]; kept: 'incidents' | 'always' | 'short' }> = [
  {
    what: "E-safety concerns reported to the safeguarding team: who reported, the category, what was said and every action taken, in a log that shows any later change; and, to find a person's records, who reported each concern and whom it names (removed when the concern is erased)",
    tables: ['incident', 'incident_entry', 'incident_delivery', 'incident_person'],
    kept: 'incidents',
  },
  {
    what: 'Which policies were published, and who accepted which version when (staff, students, governors, volunteers)',
    tables: ['policy_version', 'acceptance', 'campaign', 'campaign_delivery'],
    kept: 'always',
  },
  {
    what: "Parents' counter-signatures of the student agreement: the parent's name and email address, the child, and when they signed; the single-use links emailed to them",
    tables: ['parent_countersignature', 'parent_link'],
    kept: 'always',
  },
  {
    what: "Each policy's annual review: who reviewed it, when, whether it changed, and the date the governors approved it; the reminders sent to its owner",
    tables: ['policy_review', 'policy_review_reminder'],
    kept: 'always',
  },
  {
    what: 'Online-safety training records of staff and governors: the course, the date, a link to the evidence, and when a refresher is due',
    tables: ['training_record'],
    kept: 'always',
  },
  {
    what: 'Remote lessons the app arranged: the class, the teacher, the times, the meeting link, and whether a recording was found',
    tables: ['lesson'],
    kept: 'always',
  },
  {
    what: "Results of the audit of the school's Microsoft 365 settings (for example a file shared outside the school), findings accepted with a reason, where the last audit left off reading each drive and the audit log, and when each member of staff's calendar last changed (so the next audit reads only what changed)",
    tables: ['audit_run', 'audit_finding', 'finding_acceptance', 'audit_delta_links', 'audit_watermark', 'calendar_change'],
    kept: 'always',
  },
  {
    what: "A copy of the school's directory from Microsoft 365 (names, sign-in names, email addresses, job titles and group memberships), so the app can tell who is staff, a student or the DSL without asking Microsoft at every click; someone removed from Microsoft 365 leaves it at the next refresh, within minutes",
    tables: ['directory_user', 'directory_member', 'directory_sync'],
    kept: 'short',
  },
  { what: 'A log of administrative actions (who did what, when), so the school can show how the app was used', tables: ['audit_log'], kept: 'always' },
  {
    what: 'Technical records that let the app reach people in Teams and run on several servers: chat addresses, calendar subscriptions, job locks',
    tables: ['conversation_reference', 'graph_subscription', 'graph_notification_seen', 'graph_notification_queue', 'job_lease'],
    kept: 'short',
  },
];

function retentionSentence(config: SchoolConfig): string {
  const r = config.safeguarding.retention;
  return r.mode === 'after-birth'
    ? `The text of an incident about a child is erased ${r.yearsAfterBirth} years after the child's date of birth (the school's setting, following UK safeguarding guidance); the category and dates stay, so the governors' figures remain true.`
    : 'Incident records are kept until the school decides to erase them: the school has not set an automatic retention period, because destroying a child protection record must be a decision, never an accident.';
}

function layout(school: string, title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}: E-Safety for Teams at ${escape(school)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body><header><strong>${escape(school)}</strong></header><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

export function privacyPage(config: SchoolConfig): string {
  const school = config.school.name;
  const kept = (k: (typeof RECORDS_KEPT)[number]['kept']) =>
    k === 'incidents'
      ? retentionSentence(config)
      : k === 'short'
        ? 'Kept only while needed to deliver messages and run the app; replaced as they change.'
        : 'Kept while the school uses the app, as the record the policies ask for.';
  const items = RECORDS_KEPT.map((r) => `<li><p>${escape(r.what)}.</p><p><em>How long:</em> ${escape(kept(r.kept))}</p></li>`).join('\n');
  return layout(
    school,
    'Privacy notice',
    `<p>E-Safety for Teams is run by ${escape(school)}, the data controller, inside the school's own Microsoft 365 and Azure. No one else receives the data, and the app sends nothing to its authors.</p>
<h2>What the app stores</h2><ul>${items}</ul>
<h2>Where</h2>
<p>In the school's database (in Azure: Azure Database for PostgreSQL in the school's Azure subscription, with encrypted, geo-redundant backups kept for 35 days), and in the school's Microsoft 365 tenant, which the app reads through Microsoft Graph. Secrets are in the school's Azure Key Vault. Logs leave out names, email addresses and message text; incident text never reaches a log.</p>
<h2>What the app reads and does not keep</h2>
<p>To check the school's settings, the app reads directory, sharing, mail forwarding and meeting settings from Microsoft 365. It keeps only what it found wrong (the findings above), not copies of files, mail or chats.</p>
<h2>Your rights</h2>
<p>Ask the school for a copy of what the app holds about you (the school can export every incident that names you), or to correct it. Contact the Designated Safeguarding Lead or the school office.</p>`,
  );
}

export function termsPage(config: SchoolConfig): string {
  const school = config.school.name;
  return layout(
    school,
    'Terms of use',
    `<p>E-Safety for Teams is provided by ${escape(school)} to its staff, students, governors, volunteers and parents, for the school's e-safety policy and nothing else.</p>
<ul>
<li>Use it as the school's acceptable use policies say; what you report is seen by the safeguarding team.</li>
<li>Report a concern honestly. In an emergency, or if a child is in immediate danger, call 999 and tell the Designated Safeguarding Lead in person: the app does not replace them.</li>
<li>Accepting a policy in the app records your name, the version and the time, as a signature on paper would.</li>
<li>The school may change these terms with its policies; the app shows the version in force.</li>
</ul>
<p>How the app handles personal data is in the <a href="/privacy">privacy notice</a>.</p>`,
  );
}

/** GET /privacy and /terms: public, no sign-in (Teams and the store open them outside the app). */
export function legalPages(config: SchoolConfig) {
  const send = (html: string) => async (_req: Request, res: Response) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'public, max-age=3600');
    res.sendRaw(200, html);
  };
  return (server: Server): void => {
    server.get('/privacy', send(privacyPage(config)));
    server.get('/terms', send(termsPage(config)));
  };
}
