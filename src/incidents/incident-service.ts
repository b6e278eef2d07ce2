import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { describeZodError } from '../config/load-school-config';
import type { SchoolConfig } from '../config/school-config';
import { MailNotPermitted, type Mailer } from '../notify/mailer';
import type { Notifier } from '../notify/notifier';
import type { Person, SchoolDirectory } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import type { Database } from '../storage/schema';
import { incidentCard } from './cards/incident-card';
import type { IncidentView } from './incident-view';
export type { IncidentView };
import type { AdaptiveCardJson } from '../cards/render-card';
import { termOf } from '../school/school-terms';
import { incidentEmail } from './incident-email';
import { IncidentLog } from './incident-log';
import { IncidentLogKeys } from './incident-log-key';
import { confideSchema, incidentReportSchema, type IncidentReport } from './incident-report';
import { routeIncident, type Recipient, type Routing } from './incident-routing';
import { InvalidInput, NotAllowed as DomainNotAllowed, NotFound } from '../errors/domain-errors';

/** A report a person can fix: one line naming the field. */
export class InvalidReport extends InvalidInput {
  constructor(message: string) {
    super(message, 'invalid-report');
  }
}
/** Not theirs to see or act on. */
export class NotAllowed extends DomainNotAllowed {
  constructor(message: string) {
    super(message, 'forbidden');
  }
}
/** Only the safeguarding team, who may see every incident, learn that an id names none. */
export class NoSuchIncident extends NotFound {
  constructor(message = 'No incident has that id.') {
    super(message, 'no-such-incident');
  }
}

export const INCIDENT_ACTIONS = ['acknowledge', 'note', 'assign', 'escalate', 'inform-parents', 'close'] as const;
export const ESCALATE_TO = ['LADO', 'police', 'CEOP', "children's social care"] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/**
 * Reporting, routing, delivering and acting on e-safety incidents. Knows nothing of Teams: cards go
 * out through the Notifier, actions come in as plain calls.
 */
export class IncidentService {
  private readonly log: IncidentLog;
  private readonly audit: AuditLog;
  /** The delivery run under way, if any: runs on one instance never overlap (see deliverQueued). */
  private delivering: Promise<number> | undefined;
  /** The run waiting behind it, which every caller in the meantime shares. */
  private waitingDelivery: Promise<number> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    engine: 'sqlite' | 'postgres',
    private readonly config: SchoolConfig,
    private readonly directory: SchoolDirectory,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Email for recipients outside Teams (the LADO). Without it their card waits in the queue. */
    private readonly mailer?: Mailer,
    /** Seals the incident log (INCIDENT_LOG_KEY when not given). */
    logKeys?: IncidentLogKeys,
  ) {
    this.log = new IncidentLog(db, engine, now, logKeys ?? IncidentLogKeys.fromEnvironment());
    this.audit = new AuditLog(db, now);
  }

  /** Validates, routes and records a report; its cards are queued in the same transaction. */
  async report(input: unknown, reporter: Person): Promise<{ incidentId: string; created: boolean }> {
    const parsed = incidentReportSchema.safeParse(input);
    if (!parsed.success) throw new InvalidReport(describeZodError(parsed.error));
    const headId = await this.directory.userIdOf(this.config.safeguarding.headteacher);
    const routing = routeIncident(parsed.data, this.config.safeguarding, headId);
    const result = await this.log.submit(parsed.data, reporter.id, routing);
    if (result.created) void this.deliverQueued().catch((e) => this.logger.error({ err: e }, 'incident card delivery failed'));
    return result;
  }

  /** Policy 002, student AUP: a student's Confide goes only to the safeguarding team. */
  async confide(input: unknown, student: Person): Promise<{ incidentId: string; created: boolean }> {
    const parsed = confideSchema.safeParse(input);
    if (!parsed.success) throw new InvalidReport(describeZodError(parsed.error));
    return this.report(
      {
        submissionId: parsed.data.submissionId,
        category: 'conduct',
        subCategory: 'not-sure',
        whatHappened: parsed.data.message.length >= 10 ? parsed.data.message : `${parsed.data.message} (Confide)`,
        when: this.now().toISOString(),
        illegalOrImmediateRisk: parsed.data.unsafeNow,
        involved: [{ id: student.id, name: student.displayName, role: 'student' }],
        channel: 'confide',
      },
      student,
    );
  }

  /**
   * A subject access request: every incident a person reported or is named in, with its chronology.
   * Matches the person's Entra id, or their name where a report named them in free text.
   */
  async exportForPerson(person: { id: string; displayName: string }, requestedBy: string): Promise<Array<IncidentView & { reportedAt: string; reportedByThisPerson: boolean }>> {
    const out: Array<IncidentView & { reportedAt: string; reportedByThisPerson: boolean }> = [];
    for (const { incident: i, report } of await this.reports()) {
      if (!concerns(report, i.reporter_id, { id: person.id, name: person.displayName })) continue;
      out.push({ ...(await this.view(i.id)), reportedAt: i.reported_at, reportedByThisPerson: i.reporter_id === person.id });
    }
    await this.audit.append({ actorId: requestedBy, action: 'incident.subject-access-export', subjectType: 'person', subjectId: person.id, detail: { incidents: out.length } });
    return out;
  }

  /**
   * One person's chronology across incidents (a DSL's view of a child): every entry of every
   * incident they reported or were named in, oldest first. The read is logged like any other.
   */
  async chronologyOf(who: { id?: string; name?: string }, viewer: Person): Promise<{ person: { id?: string; name: string }; incidents: number; entries: Array<{ incidentId: string; at: string; kind: string; text: string; category: string; subCategory: string; asReporter: boolean }> }> {
    if (!viewer.roles.includes('safeguarding')) throw new NotAllowed('a person\'s chronology is for the safeguarding team');
    const known = who.id ? await this.directory.person(who.id).catch(() => undefined) : undefined;
    const name = known?.displayName ?? who.name?.trim() ?? '';
    if (!who.id && !name) throw new InvalidReport('person: give an id or a name');
    const key = { ...(who.id ? { id: who.id } : {}), name };
    const entries: Awaited<ReturnType<IncidentService['chronologyOf']>>['entries'] = [];
    let incidents = 0;
    for (const { incident: i, report } of await this.reports()) {
      if (!concerns(report, i.reporter_id, key)) continue;
      incidents += 1;
      const view = await this.view(i.id);
      const asReporter = !!key.id && i.reporter_id === key.id;
      entries.push({ incidentId: i.id, at: i.reported_at, kind: asReporter ? 'reported by them' : 'reported', text: view.whatHappened, category: view.category, subCategory: view.subCategory, asReporter });
      for (const h of view.history) entries.push({ incidentId: i.id, at: h.at, kind: h.kind, text: h.text, category: view.category, subCategory: view.subCategory, asReporter });
    }
    entries.sort((a, b) => a.at.localeCompare(b.at));
    await this.audit.append({ actorId: viewer.id, action: 'incident.person-chronology-read', subjectType: 'person', subjectId: key.id ?? `name:${name}`, detail: { incidents } });
    return { person: key, incidents, entries };
  }

  /** Every incident with its report, oldest first (the log's first entry holds the report). */
  private async reports(): Promise<Array<{ incident: { id: string; reported_at: string; reporter_id: string }; report: IncidentReport }>> {
    const incidents = await this.db.selectFrom('incident').select(['id', 'reported_at', 'reporter_id']).orderBy('reported_at').execute();
    if (incidents.length === 0) return [];
    const firsts = await this.db.selectFrom('incident_entry').select(['incident_id', 'body']).where('kind', '=', 'reported').where('erased_at', 'is', null).execute();
    const reportOf = new Map(firsts.map((f) => [f.incident_id, (JSON.parse(f.body) as { report: IncidentReport }).report]));
    return incidents.flatMap((incident) => {
      const report = reportOf.get(incident.id);
      return report ? [{ incident, report }] : [];
    });
  }

  /** The safeguarding team's queue, newest first, filtered by status, category, age and person. */
  async list(viewer: Person, filter: { status?: string; category?: string; olderThanHours?: number; person?: string } = {}): Promise<Array<{ id: string; reportedAt: string; category: string; subCategory: string; urgent: boolean; status: string }>> {
    if (!viewer.roles.includes('safeguarding')) throw new NotAllowed('the incident queue is for the safeguarding team');
    let q = this.db.selectFrom('incident').selectAll().orderBy('reported_at', 'desc').limit(500);
    if (filter.category) q = q.where('category', '=', filter.category);
    if (filter.olderThanHours) q = q.where('reported_at', '<', new Date(this.now().getTime() - filter.olderThanHours * 3_600_000).toISOString());
    const rows = await q.execute();
    const entries = rows.length ? await this.db.selectFrom('incident_entry').select(['incident_id', 'kind']).where('incident_id', 'in', rows.map((r) => r.id)).execute() : [];
    const kindsOf = new Map<string, string[]>();
    for (const e of entries) kindsOf.set(e.incident_id, [...(kindsOf.get(e.incident_id) ?? []), e.kind]);
    const statusOf = (id: string) => statusFrom(kindsOf.get(id) ?? []);
    let matching: Set<string> | undefined;
    if (filter.person?.trim()) {
      const needle = filter.person.trim().toLowerCase();
      matching = new Set((await this.reports()).filter(({ report }) => report.involved.some((p) => p.id === filter.person || p.name.toLowerCase().includes(needle))).map((r) => r.incident.id));
    }
    return rows
      .filter((r) => !matching || matching.has(r.id))
      .map((r) => ({ id: r.id, reportedAt: r.reported_at, category: r.category, subCategory: r.sub_category, urgent: r.urgent === 1, status: statusOf(r.id) }))
      .filter((r) => !filter.status || r.status === filter.status);
  }

  /**
   * For governors (policy 001 "Responsibilities": governors review the log): counts by category
   * and term, and hours to acknowledge and to close. No names, no text.
   */
  async governorsReport(viewer: Person): Promise<Array<{ term: string; category: string; subCategory: string; incidents: number; medianHoursToAcknowledge: number | null; medianHoursToClose: number | null }>> {
    if (!viewer.roles.some((r) => r === 'safeguarding' || r === 'headteacher')) throw new NotAllowed('the governors\' report is prepared by the safeguarding team');
    const incidents = await this.db.selectFrom('incident').selectAll().execute();
    const entries = await this.db.selectFrom('incident_entry').select(['incident_id', 'kind', 'at']).execute();
    const hours = (id: string, kind: string, from: string) => {
      const e = entries.find((x) => x.incident_id === id && x.kind === kind);
      return e ? (Date.parse(e.at) - Date.parse(from)) / 3_600_000 : null;
    };
    const median = (xs: Array<number | null>) => {
      const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
      return v.length ? Math.round(v[Math.floor((v.length - 1) / 2)]! * 10) / 10 : null;
    };
    const groups = new Map<string, typeof incidents>();
    for (const i of incidents) {
      const key = `${termOf(i.reported_at)}|${i.category}|${i.sub_category}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
    }
    return [...groups.entries()].sort().map(([key, list]) => {
      const [term, category, subCategory] = key.split('|') as [string, string, string];
      return {
        term,
        category,
        subCategory,
        incidents: list.length,
        medianHoursToAcknowledge: median(list.map((i) => hours(i.id, 'acknowledged', i.reported_at))),
        medianHoursToClose: median(list.map((i) => hours(i.id, 'closed', i.reported_at))),
      };
    });
  }

  /**
   * Sends every queued card. Runs after each report and at start-up, so a card queued before a crash
   * is delivered after the restart. A person with no chat with the bot yet stays queued.
   */
  async deliverQueued(): Promise<number> {
    // One runner per instance. A call made while a run is under way (a report's background
    // delivery) waits for it and then runs once more, so when it returns every card that could be
    // sent has been, and no claim of this instance's is left half-way. Every call made meanwhile
    // shares that one next run: a burst of reports costs two scans of the queue, not one each.
    if (this.waitingDelivery) return this.waitingDelivery;
    const ahead = this.delivering;
    // Assigned before the body below first reads it: the body awaits before anything else.
    let run!: Promise<number>;
    run = (async () => {
      await (ahead ?? Promise.resolve(0)).catch(() => 0);
      if (this.waitingDelivery === run) this.waitingDelivery = undefined;
      this.delivering = run;
      try {
        return await this.deliverOnce();
      } finally {
        if (this.delivering === run) this.delivering = undefined;
      }
    })();
    if (ahead) this.waitingDelivery = run;
    else this.delivering = run;
    return run;
  }

  /** Resolves once the deliveries started in the background have finished (shutdown, tests). */
  async settled(): Promise<void> {
    for (let next = this.waitingDelivery ?? this.delivering; next; next = this.waitingDelivery ?? this.delivering) await next.catch(() => undefined);
  }

  private async deliverOnce(): Promise<number> {
    const stale = new Date(this.now().getTime() - 5 * 60_000).toISOString();
    const queued = await this.db
      .selectFrom('incident_delivery')
      .selectAll()
      .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'sending'), eb('updated_at', '<', stale)])]))
      .orderBy('updated_at')
      .execute();
    let sent = 0;
    for (const d of queued) {
      // Claim the card first: two delivery runs (here or on another instance) never send it twice.
      // A claim left by a crashed process lapses after five minutes and the card is sent again.
      const claimed = await this.db
        .updateTable('incident_delivery')
        .set({ status: 'sending', updated_at: this.now().toISOString() })
        .where('id', '=', d.id)
        .where('status', '=', d.status)
        .where('updated_at', '=', d.updated_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue;
      const recipient = JSON.parse(d.recipient) as Recipient;
      const ref = recipient.kind === 'person' ? recipient.ref : recipient.email;
      const id = await this.directory.userIdOf(ref);
      const view = await this.view(d.incident_id);
      let delivered: 'sent' | 'emailed' | 'no-conversation';
      let activityId: string | undefined;
      try {
        const summary = `E-safety incident${view.urgent ? ' (URGENT)' : ''}`;
        if (!id && recipient.kind === 'contact' && this.mailer) {
          // Outside the tenant (the LADO): no Teams chat, so an email that says whom to call.
          const routing = await this.routingOf(d.incident_id);
          await this.mailer.send(incidentEmail(view, recipient, routing.recipients, this.config));
          delivered = 'emailed';
        } else if (!id) delivered = 'no-conversation';
        else if (this.notifier.sendTracked) ({ delivery: delivered, activityId } = await this.notifier.sendTracked(id, incidentCard(view), summary));
        else delivered = await this.notifier.sendToPerson(id, incidentCard(view), summary);
      } catch (e) {
        await this.db.updateTable('incident_delivery').set({ status: 'queued', attempts: d.attempts + 1, updated_at: this.now().toISOString() }).where('id', '=', d.id).execute();
        // Exchange refused the school mailbox: the email stays queued and the admins are told
        // (log and /api/admin/permissions); the cards to everyone else still go.
        if (e instanceof MailNotPermitted) {
          this.logger.warn({ incident: d.incident_id, recipient: recipient.as }, e.message);
          continue;
        }
        throw e;
      }
      // A person who has never opened a chat with the bot stays queued; the DSL tab shows it.
      await this.db
        .updateTable('incident_delivery')
        .set({ status: delivered === 'no-conversation' ? 'queued' : 'sent', attempts: d.attempts + 1, updated_at: this.now().toISOString(), recipient_id: id ?? null, activity_id: activityId ?? null })
        .where('id', '=', d.id)
        .execute();
      if (delivered === 'emailed') {
        await this.audit.append({ actorId: 'system', action: 'incident.emailed', subjectType: 'incident', subjectId: d.incident_id, detail: { to: recipient.as, from: this.mailer!.from } });
      }
      if (delivered !== 'no-conversation') sent += 1;
      else this.logger.warn({ incident: d.incident_id, recipient: recipient.as }, 'incident card not delivered yet');
    }
    return sent;
  }

  /** The DSL (or a routed recipient) acts from the card; every action is an entry, never an edit. */
  async act(incidentId: string, action: IncidentAction, actor: Person, data: { text?: string; assignee?: string; escalateTo?: string } = {}): Promise<AdaptiveCardJson> {
    await this.assertMayRead(incidentId, actor);
    const text = data.text?.trim().slice(0, 4000) ?? '';
    let kind: string;
    let body: Record<string, unknown> = {};
    switch (action) {
      case 'acknowledge':
        kind = 'acknowledged';
        break;
      case 'note':
        if (!text) throw new InvalidReport('note: write the note first');
        kind = 'note';
        body = { text };
        break;
      case 'assign': {
        const assigneeId = data.assignee ? await this.directory.userIdOf(data.assignee.trim()) : undefined;
        const assignee = assigneeId ? await this.directory.person(assigneeId) : undefined;
        if (!assignee || !assignee.roles.includes('staff')) throw new InvalidReport('assignee: name a member of staff by their school email address');
        kind = 'assigned';
        body = { text: `to ${assignee.displayName}${text ? `: ${text}` : ''}`, assigneeId: assignee.id };
        break;
      }
      case 'escalate':
        if (!ESCALATE_TO.includes(data.escalateTo as (typeof ESCALATE_TO)[number])) throw new InvalidReport(`escalateTo: choose one of ${ESCALATE_TO.join(', ')}`);
        kind = 'escalated-to';
        body = { text: `${data.escalateTo}${text ? `: ${text}` : ''}`, to: data.escalateTo };
        break;
      case 'inform-parents':
        kind = 'parents-informed';
        body = { text: text || 'parents or carers informed' };
        break;
      case 'close':
        if (!text) throw new InvalidReport('outcome: say how the incident was closed');
        kind = 'closed';
        body = { text, outcome: text };
        break;
    }
    await this.log.add(incidentId, kind, actor.id, body);
    const card = incidentCard(await this.view(incidentId));
    await this.refreshCopies(incidentId, card);
    return card;
  }

  /** Everyone who has the card sees its new state, not only the person who clicked. */
  private async refreshCopies(incidentId: string, card: AdaptiveCardJson): Promise<void> {
    if (!this.notifier.update) return;
    const copies = await this.db.selectFrom('incident_delivery').select(['recipient_id', 'activity_id']).where('incident_id', '=', incidentId).where('status', '=', 'sent').execute();
    for (const c of copies) {
      if (!c.recipient_id || !c.activity_id) continue;
      await this.notifier.update(c.recipient_id, c.activity_id, card).catch((e) => this.logger.warn({ err: e, incidentId }, 'could not refresh a copy of the incident card'));
    }
  }

  /** Reads are logged: who looked at which incident, and when. */
  async read(incidentId: string, reader: Person): Promise<IncidentView & { people: IncidentReport['involved'] }> {
    await this.assertMayRead(incidentId, reader);
    await this.audit.append({ actorId: reader.id, action: 'incident.read', subjectType: 'incident', subjectId: incidentId });
    const [first] = await this.log.entries(incidentId);
    return { ...(await this.view(incidentId)), people: first!.erased_at ? [] : (JSON.parse(first!.body) as { report: IncidentReport }).report.involved };
  }

  private async routingOf(incidentId: string): Promise<Routing> {
    const [first] = await this.log.entries(incidentId);
    if (!first) throw new NoSuchIncident('no incident has that id');
    // Erased under retention: no routing is left, so only the safeguarding team may see the stub.
    if (first.erased_at) return { recipients: [], urgent: false, guidance: [], reason: 'erased' };
    return (JSON.parse(first.body) as { routing: Routing }).routing;
  }

  /** The safeguarding team, and the people this incident was routed to; nobody else. */
  private async assertMayRead(incidentId: string, person: Person): Promise<void> {
    if (person.roles.includes('safeguarding')) {
      if (!(await this.db.selectFrom('incident').select('id').where('id', '=', incidentId).executeTakeFirst())) throw new NoSuchIncident('no incident has that id');
      return;
    }
    // Anyone else gets the same refusal whether or not the id exists: no existence oracle.
    const routing = await this.routingOf(incidentId).catch((e: unknown) => {
      if (e instanceof NoSuchIncident) return { recipients: [] };
      throw e;
    });
    for (const r of routing.recipients) {
      if ((await this.directory.userIdOf(r.kind === 'person' ? r.ref : r.email)) === person.id) return;
    }
    throw new NotAllowed('only the safeguarding team and the people this incident was sent to may see it');
  }

  /** The incident as its card shows it (no access check: callers check). */
  async view(incidentId: string): Promise<IncidentView> {
    const entries = await this.log.entries(incidentId);
    if (entries[0]?.erased_at) return this.erasedView(incidentId, entries);
    const first = JSON.parse(entries[0]!.body) as { report: IncidentReport; routing: Routing };
    const status = statusFrom(entries.map((e) => e.kind));
    return {
      id: incidentId,
      category: first.report.category,
      subCategory: first.report.subCategory,
      whatHappened: first.report.whatHappened,
      when: first.report.when,
      where: first.report.where,
      involved: first.report.involved.map((p) => `${p.name} (${p.role})`),
      urgent: first.routing.urgent,
      guidance: first.routing.guidance,
      status,
      history: entries.slice(1).map((e) => ({ kind: e.kind, at: e.at, text: (JSON.parse(e.body) as { text?: string; outcome?: string }).text ?? (JSON.parse(e.body) as { outcome?: string }).outcome ?? '' })),
    };
  }

  /** What is left after erasure under the retention policy: the kind of concern and the dates. */
  private async erasedView(incidentId: string, entries: Awaited<ReturnType<IncidentLog['entries']>>): Promise<IncidentView> {
    const i = await this.db.selectFrom('incident').selectAll().where('id', '=', incidentId).executeTakeFirstOrThrow();
    return {
      id: incidentId,
      category: i.category as IncidentView['category'],
      subCategory: i.sub_category as IncidentView['subCategory'],
      whatHappened: '(erased under the school\'s retention policy)',
      when: i.reported_at,
      where: '',
      involved: [],
      urgent: i.urgent === 1,
      guidance: [],
      status: statusFrom(entries.map((e) => e.kind)),
      history: entries.slice(1).map((e) => ({ kind: e.kind, at: e.at, text: '' })),
    };
  }
}

/** Where an incident stands, from the kinds of its entries: closed, acknowledged, or new. */
function statusFrom(kinds: readonly string[]): IncidentView['status'] {
  return kinds.includes('closed') ? 'closed' : kinds.includes('acknowledged') ? 'acknowledged' : 'new';
}

/** Whether a report concerns this person: they reported it, or it names them (by id or by name). */
function concerns(report: IncidentReport, reporterId: string, who: { id?: string; name: string }): boolean {
  if (who.id && reporterId === who.id) return true;
  const name = who.name.trim().toLowerCase();
  return report.involved.some((p) => (!!who.id && p.id === who.id) || (!!name && p.name.trim().toLowerCase() === name));
}

export { termOf };
