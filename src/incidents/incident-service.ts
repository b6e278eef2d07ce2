import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { describeZodError } from '../config/load-school-config';
import type { SchoolConfig } from '../config/school-config';
import type { Notifier } from '../notify/notifier';
import type { Person, SchoolDirectory } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import type { Database } from '../storage/schema';
import { incidentCard, type IncidentView } from '../cards/incident-card';
import type { AdaptiveCardJson } from '../cards/render-card';
import { IncidentLog } from './incident-log';
import { incidentReportSchema, type IncidentReport } from './incident-report';
import { routeIncident, type Recipient, type Routing } from './incident-routing';

/** A report a person can fix: one line naming the field. */
export class InvalidReport extends Error {}
/** Not theirs to see or act on. */
export class NotAllowed extends Error {}

export const INCIDENT_ACTIONS = ['acknowledge', 'note', 'close'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/**
 * Reporting, routing, delivering and acting on e-safety incidents. Knows nothing of Teams: cards go
 * out through the Notifier, actions come in as plain calls.
 */
export class IncidentService {
  private readonly log: IncidentLog;
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<Database>,
    engine: 'sqlite' | 'postgres',
    private readonly config: SchoolConfig,
    private readonly directory: SchoolDirectory,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.log = new IncidentLog(db, engine, now);
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

  /**
   * Sends every queued card. Runs after each report and at start-up, so a card queued before a crash
   * is delivered after the restart. A person with no chat with the bot yet stays queued.
   */
  async deliverQueued(): Promise<number> {
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
      let delivered: 'sent' | 'no-conversation';
      try {
        delivered = id ? await this.notifier.sendToPerson(id, incidentCard(view), `E-safety incident${view.urgent ? ' (URGENT)' : ''}`) : 'no-conversation';
      } catch (e) {
        await this.db.updateTable('incident_delivery').set({ status: 'queued', attempts: d.attempts + 1, updated_at: this.now().toISOString() }).where('id', '=', d.id).execute();
        throw e;
      }
      // Someone outside the tenant (the LADO) has no Teams chat: email delivery is not built yet, so
      // the card stays queued and the DSL tab must show it (see the closing note).
      await this.db
        .updateTable('incident_delivery')
        .set({ status: delivered === 'sent' ? 'sent' : 'queued', attempts: d.attempts + 1, updated_at: this.now().toISOString() })
        .where('id', '=', d.id)
        .execute();
      if (delivered === 'sent') sent += 1;
      else this.logger.warn({ incident: d.incident_id, recipient: recipient.as }, 'incident card not delivered yet');
    }
    return sent;
  }

  /** The DSL (or a routed recipient) acts from the card; every action is an entry, never an edit. */
  async act(incidentId: string, action: IncidentAction, actor: Person, data: { text?: string; outcome?: string } = {}): Promise<AdaptiveCardJson> {
    await this.assertMayRead(incidentId, actor);
    if (action === 'note' && !data.text?.trim()) throw new InvalidReport('note: write the note first');
    if (action === 'close' && !data.outcome?.trim()) throw new InvalidReport('outcome: say how the incident was closed');
    const body = action === 'note' ? { text: data.text!.trim().slice(0, 4000) } : action === 'close' ? { outcome: data.outcome!.trim().slice(0, 4000) } : {};
    await this.log.add(incidentId, action === 'acknowledge' ? 'acknowledged' : action === 'note' ? 'note' : 'closed', actor.id, body);
    return incidentCard(await this.view(incidentId));
  }

  /** Reads are logged: who looked at which incident, and when. */
  async read(incidentId: string, reader: Person): Promise<IncidentView> {
    await this.assertMayRead(incidentId, reader);
    await this.audit.append({ actorId: reader.id, action: 'incident.read', subjectType: 'incident', subjectId: incidentId });
    return this.view(incidentId);
  }

  /** The safeguarding team, and the people this incident was routed to; nobody else. */
  private async assertMayRead(incidentId: string, person: Person): Promise<void> {
    if (person.roles.includes('safeguarding')) return;
    const [first] = await this.log.entries(incidentId);
    if (!first) throw new NotAllowed('no such incident');
    const routing = (JSON.parse(first.body) as { routing: Routing }).routing;
    for (const r of routing.recipients) {
      if ((await this.directory.userIdOf(r.kind === 'person' ? r.ref : r.email)) === person.id) return;
    }
    throw new NotAllowed('only the safeguarding team and the people this incident was sent to may see it');
  }

  private async view(incidentId: string): Promise<IncidentView> {
    const entries = await this.log.entries(incidentId);
    const first = JSON.parse(entries[0]!.body) as { report: IncidentReport; routing: Routing };
    const status = entries.some((e) => e.kind === 'closed') ? 'closed' : entries.some((e) => e.kind === 'acknowledged') ? 'acknowledged' : 'new';
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
}
