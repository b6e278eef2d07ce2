import type { Kysely } from 'kysely';
import type { SchoolConfig } from '../config/school-config';
import { compareRuns, type AuditStore } from '../audit/audit-store';
import type { Database } from '../storage/schema';
import { halfTermOf, previousHalfTerm, recentHalfTerms, type HalfTerm } from './half-terms';
import type { PolicyReviews, ReviewRecord, ReviewStatus } from './policy-reviews';
import type { TrainingSummary } from './training-records';

/**
 * Where a figure came from: the register (table) and the filter, so a governor (or an inspector) can
 * ask for the same count and get the same number.
 */
export interface Source {
  register: string;
  filter: string;
}

export interface Figure {
  value: number | null;
  source: Source;
}

/** Coverage counts of one policy's current version by audience (names never leave the AUP register). */
export interface PolicyCoverageCounts {
  policyId: string;
  title: string;
  version: number | null;
  counts: Record<string, { accepted: number; pending: number; overdue: number; unreachable: number }>;
}

export interface HalfTermReport {
  school: string;
  halfTerm: HalfTerm;
  /** When the figures were taken: coverage and open findings are "as at" this moment or the half-term's end. */
  generatedAt: string;
  asAt: string;
  incidents: {
    total: Figure;
    byCategory: Array<{ category: string; subCategory: string; incidents: Figure }>;
    /** Where each incident reported in the half-term stood at `asAt`. */
    byOutcome: Array<{ outcome: 'closed' | 'acknowledged' | 'new'; incidents: Figure }>;
    escalations: Array<{ to: string; incidents: Figure }>;
    medianHoursToAcknowledge: Figure;
    medianHoursToClose: Figure;
    /** The same total for the half-terms before, oldest first: the trend. */
    trend: Array<{ halfTerm: string; incidents: Figure }>;
  };
  coverage: {
    policies: Array<{
      policyId: string;
      title: string;
      version: number | null;
      audiences: Array<{ audience: string; accepted: Figure; pending: Figure; overdue: Figure; unreachable: Figure }>;
    }>;
    source: Source;
  };
  audit: {
    runs: Figure;
    open: Figure;
    new: Figure;
    resolved: Figure;
    trend: Array<{ finishedAt: string; high: number; medium: number; low: number }>;
    source: Source;
  };
  lessons: { held: Figure; recorded: Figure; announced: Figure; recordedShare: number | null; announcedShare: number | null };
  /** What the school did about it: actions on incidents, reviews, training, by count. */
  actions: Array<{ action: string; count: Figure }>;
  reviews: { due: ReviewStatus[]; done: ReviewRecord[]; source: Source };
  training: TrainingSummary | null;
}

const hours = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 3_600_000;
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? Math.round(v[Math.floor((v.length - 1) / 2)]! * 10) / 10 : null;
};
const share = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : null);

const ACTION_LABELS: Record<string, string> = {
  acknowledged: 'Incidents acknowledged',
  assigned: 'Incidents assigned to a member of staff',
  'escalated-to': 'Incidents escalated (LADO, police, CEOP, social care)',
  'parents-informed': 'Parents or carers informed',
  note: 'Notes added to incidents',
  closed: 'Incidents closed with an outcome',
};

/**
 * The head's half-termly e-safety report to governors (policies 001, 002 and 003), assembled from the
 * registers the app keeps: the incident log, the AUP acceptance register, the tenant audit and the
 * lessons register. Numbers only: no names, no incident text.
 */
export class HalfTermReports {
  private readonly db: Kysely<Database>;
  private readonly config: SchoolConfig;
  private readonly audits: AuditStore;
  private readonly coverageOf: (policyId: string) => Promise<PolicyCoverageCounts>;
  private readonly reviews: PolicyReviews;
  private readonly training: { summary(asAt: Date): Promise<TrainingSummary> } | undefined;
  private readonly now: () => Date;

  constructor(deps: {
    db: Kysely<Database>;
    config: SchoolConfig;
    audits: AuditStore;
    /** The AUP register's counts for a policy's current version (AupService.coverage without the people). */
    coverageOf: (policyId: string) => Promise<PolicyCoverageCounts>;
    reviews: PolicyReviews;
    training?: { summary(asAt: Date): Promise<TrainingSummary> };
    clock?: () => Date;
  }) {
    this.db = deps.db;
    this.config = deps.config;
    this.audits = deps.audits;
    this.coverageOf = deps.coverageOf;
    this.reviews = deps.reviews;
    this.training = deps.training;
    this.now = deps.clock ?? (() => new Date());
  }

  halfTerms(): HalfTerm[] {
    return recentHalfTerms(this.now(), 6);
  }

  async report(halfTerm: HalfTerm = halfTermOf(this.now())): Promise<HalfTermReport> {
    const generatedAt = this.now().toISOString();
    const asAt = halfTerm.to < generatedAt ? halfTerm.to : generatedAt;
    const inRange = `reported_at >= ${halfTerm.from} and reported_at < ${halfTerm.to}`;
    const incidents = await this.db
      .selectFrom('incident')
      .select(['id', 'reported_at', 'category', 'sub_category'])
      .where('reported_at', '>=', halfTerm.from)
      .where('reported_at', '<', halfTerm.to)
      .execute();
    const ids = incidents.map((i) => i.id);
    const entries = ids.length
      ? await this.db
          .selectFrom('incident_entry')
          .select(['incident_id', 'kind', 'at', 'body', 'erased_at'])
          .where('incident_id', 'in', ids)
          .where('at', '<', asAt)
          .orderBy('seq')
          .execute()
      : [];
    const first = (id: string, kind: string) => entries.find((e) => e.incident_id === id && e.kind === kind)?.at;

    const byCat = new Map<string, number>();
    for (const i of incidents) byCat.set(`${i.category}|${i.sub_category}`, (byCat.get(`${i.category}|${i.sub_category}`) ?? 0) + 1);
    const outcomeOf = (id: string) => (first(id, 'closed') ? 'closed' : first(id, 'acknowledged') ? 'acknowledged' : 'new');
    const outcomes = { closed: 0, acknowledged: 0, new: 0 };
    for (const i of incidents) outcomes[outcomeOf(i.id)] += 1;
    const escalations = new Map<string, number>();
    for (const e of entries.filter((x) => x.kind === 'escalated-to')) {
      const to = e.erased_at ? 'recorded (detail erased under retention)' : String((JSON.parse(e.body) as { to?: string }).to ?? 'other');
      escalations.set(to, (escalations.get(to) ?? 0) + 1);
    }
    const ack = incidents.flatMap((i) => (first(i.id, 'acknowledged') ? [hours(i.reported_at, first(i.id, 'acknowledged')!)] : []));
    const close = incidents.flatMap((i) => (first(i.id, 'closed') ? [hours(i.reported_at, first(i.id, 'closed')!)] : []));

    const trend: HalfTermReport['incidents']['trend'] = [];
    let h = halfTerm;
    for (let n = 0; n < 5; n++) {
      h = previousHalfTerm(h);
      const count = await this.db
        .selectFrom('incident')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('reported_at', '>=', h.from)
        .where('reported_at', '<', h.to)
        .executeTakeFirst();
      trend.unshift({
        halfTerm: h.id,
        incidents: { value: Number(count?.n ?? 0), source: { register: 'incident', filter: `reported_at >= ${h.from} and reported_at < ${h.to}` } },
      });
    }

    // Actions: every entry added to any incident during the half-term, whenever it was reported.
    const actionRows = await this.db
      .selectFrom('incident_entry')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('at', '>=', halfTerm.from)
      .where('at', '<', halfTerm.to)
      .where('kind', '!=', 'reported')
      .groupBy('kind')
      .execute();
    const actions: HalfTermReport['actions'] = Object.keys(ACTION_LABELS).map((kind) => ({
      action: ACTION_LABELS[kind]!,
      count: {
        value: Number(actionRows.find((r) => r.kind === kind)?.n ?? 0),
        source: { register: 'incident_entry', filter: `kind = '${kind}' and at >= ${halfTerm.from} and at < ${halfTerm.to}` },
      },
    }));

    // Coverage: the current version of each policy, as the AUP register has it now.
    const coverage = [];
    for (const p of this.config.policies) {
      const c = await this.coverageOf(p.id);
      coverage.push({
        policyId: c.policyId,
        title: c.title,
        version: c.version,
        audiences: Object.entries(c.counts).map(([audience, n]) => {
          const src = (status: string): Source => ({
            register: 'acceptance + campaign_delivery',
            filter: `policy_id = '${p.id}' and version = ${c.version} and audience = ${audience} and status = ${status} (as at ${generatedAt.slice(0, 16)})`,
          });
          return {
            audience,
            accepted: { value: n.accepted, source: src('accepted') },
            pending: { value: n.pending, source: src('pending') },
            overdue: { value: n.overdue, source: src('overdue') },
            unreachable: { value: n.unreachable, source: src('unreachable') },
          };
        }),
      });
    }

    // Audit: the last run inside the half-term against the last run before it.
    const tenantId = this.config.school.tenantId;
    const runs = await this.db
      .selectFrom('audit_run')
      .select(['id', 'finished_at'])
      .where('tenant_id', '=', tenantId)
      .where('finished_at', '<', halfTerm.to)
      .orderBy('finished_at', 'desc')
      .execute();
    const inHalf = runs.filter((r) => r.finished_at >= halfTerm.from);
    const lastIn = inHalf[0];
    const before = runs.find((r) => r.finished_at < halfTerm.from);
    const lastFindings = lastIn ? await this.audits.findings(lastIn.id) : [];
    const changes = lastIn ? compareRuns(before ? await this.audits.findings(before.id) : [], lastFindings) : { new: [], resolved: [] };
    const auditSrc = (what: string): Source => ({
      register: 'audit_run + audit_finding',
      filter: `${what}; last run finished in [${halfTerm.from}, ${halfTerm.to})${lastIn ? ` = ${lastIn.id}` : ''}${before ? `, compared with ${before.id}` : ''}`,
    });
    const auditTrend = (await this.audits.trend(tenantId, 60))
      .filter((r) => r.finishedAt >= previousHalfTerm(halfTerm).from && r.finishedAt < halfTerm.to)
      .map(({ finishedAt, high, medium, low }) => ({ finishedAt, high, medium, low }));

    // Lessons that started in the half-term and have ended (held), recorded and announced.
    const lessons = await this.db
      .selectFrom('lesson')
      .select(['recording_found', 'announced_at', 'ended_at', 'starts_at'])
      .where('starts_at', '>=', halfTerm.from)
      .where('starts_at', '<', halfTerm.to)
      .where('starts_at', '<', asAt)
      .execute();
    const held = lessons.length;
    const recorded = lessons.filter((l) => l.recording_found === 1).length;
    const announced = lessons.filter((l) => l.announced_at !== null).length;
    const lessonSrc = (extra: string): Source => ({ register: 'lesson', filter: `starts_at >= ${halfTerm.from} and starts_at < ${asAt}${extra}` });

    const schedule = await this.reviews.schedule();
    return {
      school: this.config.school.name,
      halfTerm,
      generatedAt,
      asAt,
      incidents: {
        total: { value: incidents.length, source: { register: 'incident', filter: inRange } },
        byCategory: [...byCat.entries()].sort().map(([key, n]) => {
          const [category, subCategory] = key.split('|') as [string, string];
          return {
            category,
            subCategory,
            incidents: { value: n, source: { register: 'incident', filter: `category = '${category}' and sub_category = '${subCategory}' and ${inRange}` } },
          };
        }),
        byOutcome: (['new', 'acknowledged', 'closed'] as const).map((outcome) => ({
          outcome,
          incidents: {
            value: outcomes[outcome],
            source: { register: 'incident + incident_entry', filter: `${inRange}; status from entry kinds before ${asAt} = ${outcome}` },
          },
        })),
        escalations: [...escalations.entries()].sort().map(([to, n]) => ({
          to,
          incidents: { value: n, source: { register: 'incident_entry', filter: `kind = 'escalated-to' and to = '${to}', on incidents ${inRange}` } },
        })),
        medianHoursToAcknowledge: {
          value: median(ack),
          source: { register: 'incident + incident_entry', filter: `median of first 'acknowledged' at - reported_at, ${inRange} (${ack.length} acknowledged)` },
        },
        medianHoursToClose: {
          value: median(close),
          source: { register: 'incident + incident_entry', filter: `median of first 'closed' at - reported_at, ${inRange} (${close.length} closed)` },
        },
        trend: [...trend, { halfTerm: halfTerm.id, incidents: { value: incidents.length, source: { register: 'incident', filter: inRange } } }],
      },
      coverage: {
        policies: coverage,
        source: { register: 'acceptance + campaign_delivery', filter: 'each policy\u2019s latest version, by audience, as at the time the report was made' },
      },
      audit: {
        runs: { value: inHalf.length, source: auditSrc('runs counted') },
        open: { value: lastFindings.length, source: auditSrc('findings of the last run') },
        new: { value: changes.new.length, source: auditSrc('findings in the last run not in the one before') },
        resolved: { value: changes.resolved.length, source: auditSrc('findings in the run before not in the last') },
        trend: auditTrend,
        source: auditSrc('audit runs'),
      },
      lessons: {
        held: { value: held, source: lessonSrc('') },
        recorded: { value: recorded, source: lessonSrc(' and recording_found = 1') },
        announced: { value: announced, source: lessonSrc(' and announced_at is not null') },
        recordedShare: share(recorded, held),
        announcedShare: share(announced, held),
      },
      actions: [
        ...actions,
        {
          action: 'Policy reviews recorded',
          count: {
            value: (await this.reviews.done(halfTerm.from, halfTerm.to)).length,
            source: { register: 'policy_review', filter: `reviewed_at >= ${halfTerm.from} and reviewed_at < ${halfTerm.to}` },
          },
        },
        {
          action: 'Training sessions recorded',
          count: {
            value: Number(
              (
                await this.db
                  .selectFrom('training_record')
                  .select((eb) => eb.fn.countAll<number>().as('n'))
                  .where('completed_on', '>=', halfTerm.from.slice(0, 10))
                  .where('completed_on', '<', halfTerm.to.slice(0, 10))
                  .executeTakeFirst()
              )?.n ?? 0,
            ),
            source: { register: 'training_record', filter: `completed_on >= ${halfTerm.from.slice(0, 10)} and completed_on < ${halfTerm.to.slice(0, 10)}` },
          },
        },
      ],
      reviews: {
        due: schedule.filter((s) => s.status === 'due' || s.status === 'overdue'),
        done: await this.reviews.done(halfTerm.from, halfTerm.to),
        source: {
          register: 'policy_review + policy_version + config policies',
          filter: `due: review date within the reminder window or passed; done: reviewed_at in [${halfTerm.from}, ${halfTerm.to})`,
        },
      },
      training: this.training ? await this.training.summary(new Date(asAt)) : null,
    };
  }
}
