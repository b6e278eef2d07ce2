import type { Logger } from 'pino';
import { incidentCard } from './cards/incident-card';
import type { AdaptiveCardJson } from '../cards/render-card';
import type { SchoolConfig } from '../config/school-config';
import { MailNotPermitted, type Mailer } from '../notify/mailer';
import type { Notifier } from '../notify/notifier';
import type { SchoolDirectory } from '../school/school-directory';
import type { AuditLog } from '../storage/audit-log';
import { incidentEmail } from './incident-email';
import { recipientOf, type DeliveryRow, type IncidentStore } from './incident-store';

/** A claim older than this belonged to a run that died (a crash, a stopped instance): the card goes again. */
export const CLAIM_LAPSES_AFTER_MS = 5 * 60_000;

/**
 * A card that could not go (the person has no chat with the bot yet, the mailbox was refused, Teams
 * failed) waits before its next attempt: a minute after the first, doubling, at most six hours. So
 * one that may never go costs a few attempts a day, not one on every report and every sweep.
 */
export const FIRST_RETRY_AFTER_MS = 60_000;
export const LONGEST_RETRY_AFTER_MS = 6 * 60 * 60_000;
/** After this many attempts (about two days) the card has failed: the safeguarding team is told, once. */
export const MOST_ATTEMPTS = 16;

/** How long to wait after the `attempt`th attempt (1, 2, ...) failed. */
export const retryAfterMs = (attempt: number): number => Math.min(FIRST_RETRY_AFTER_MS * 2 ** Math.min(attempt - 1, 30), LONGEST_RETRY_AFTER_MS);

/**
 * Sends the incident cards the log has queued: to each recipient's chat with the bot, or by email
 * to a contact outside the tenant (the LADO). Runs after each report, and as a job on the runner
 * (incident-schedule.ts) so a card whose sender died is sent again without waiting for a restart.
 */
export class IncidentDelivery {
  private readonly store: IncidentStore;
  private readonly config: SchoolConfig;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly mailer: Mailer | undefined;
  private readonly audit: AuditLog;
  private readonly logger: Logger;
  private readonly now: () => Date;
  /** The delivery run under way, if any: runs on one instance never overlap (see deliverQueued). */
  private delivering: Promise<number> | undefined;
  /** The run waiting behind it, which every caller in the meantime shares. */
  private waitingDelivery: Promise<number> | undefined;

  constructor(deps: {
    store: IncidentStore;
    config: SchoolConfig;
    directory: SchoolDirectory;
    notifier: Notifier;
    audit: AuditLog;
    logger: Logger;
    mailer?: Mailer;
    clock?: () => Date;
  }) {
    this.store = deps.store;
    this.config = deps.config;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.mailer = deps.mailer;
    this.audit = deps.audit;
    this.logger = deps.logger;
    this.now = deps.clock ?? (() => new Date());
  }

  /**
   * Sends every queued card, and every card whose claim has lapsed. A person with no chat with the
   * bot yet stays queued.
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
    // eslint-disable-next-line prefer-const -- declared apart so the body may refer to its own promise
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

  /** Starts a delivery run without waiting for it (after a report); a failure is logged. */
  deliverInBackground(): void {
    void this.deliverQueued().catch((e) => this.logger.error({ err: e }, 'incident card delivery failed'));
  }

  /** Resolves once the deliveries started in the background have finished (shutdown, tests). */
  async settled(): Promise<void> {
    for (let next = this.waitingDelivery ?? this.delivering; next; next = this.waitingDelivery ?? this.delivering) await next.catch(() => undefined);
  }

  /** Everyone who has the card sees its new state, not only the person who clicked. */
  async refreshCopies(incidentId: string, card: AdaptiveCardJson): Promise<void> {
    if (!this.notifier.update) return;
    for (const c of await this.store.sentCopies(incidentId)) {
      await this.notifier
        .update(c.recipientId, c.activityId, card)
        .catch((e) => this.logger.warn({ err: e, incidentId }, 'could not refresh a copy of the incident card'));
    }
  }

  private async deliverOnce(): Promise<number> {
    let sent = 0;
    for (const d of await this.store.deliveriesDue(CLAIM_LAPSES_AFTER_MS)) {
      // Claim the card first: two delivery runs (here or on another instance) never send it twice.
      // A claim left by a crashed process lapses and the card is sent again.
      if (!(await this.store.claim(d))) continue;
      const attempt = d.attempts + 1;
      const recipient = recipientOf(d);
      const ref = recipient.kind === 'person' ? recipient.ref : recipient.email;
      const id = await this.directory.userIdOf(ref);
      const view = await this.store.view(d.incident_id);
      let delivered: 'sent' | 'emailed' | 'no-conversation';
      let activityId: string | undefined;
      try {
        const summary = `E-safety incident${view.urgent ? ' (URGENT)' : ''}`;
        if (!id && recipient.kind === 'contact' && this.mailer) {
          // Outside the tenant (the LADO): no Teams chat, so an email that says whom to call.
          const first = await this.store.first(d.incident_id);
          await this.mailer.send(incidentEmail(view, recipient, first === 'erased' ? [] : first.routing.recipients, this.config));
          delivered = 'emailed';
        } else if (!id) delivered = 'no-conversation';
        else if (this.notifier.sendTracked) ({ delivery: delivered, activityId } = await this.notifier.sendTracked(id, incidentCard(view), summary));
        else delivered = await this.notifier.sendToPerson(id, incidentCard(view), summary);
      } catch (e) {
        // Exchange refused the school mailbox: the email stays queued and the admins are told
        // (log and /api/admin/permissions); the cards to everyone else still go.
        if (e instanceof MailNotPermitted) {
          this.logger.warn({ incident: d.incident_id, recipient: recipient.as }, e.message);
          await this.notDelivered(d, attempt, 'the school mailbox was refused by Exchange Online');
          continue;
        }
        await this.notDelivered(d, attempt, (e instanceof Error ? e.message : String(e)).slice(0, 200));
        throw e;
      }
      if (delivered === 'no-conversation') {
        // A person who has never opened a chat with the bot waits; the DSL tab shows the incident.
        this.logger.warn({ incident: d.incident_id, recipient: recipient.as }, 'incident card not delivered yet');
        const why = id
          ? 'no chat with the bot'
          : recipient.kind === 'contact'
            ? 'no school mailbox is configured to email them (mail.sender)'
            : 'not found in the school directory';
        await this.notDelivered(d, attempt, why, id);
        continue;
      }
      await this.store.delivered(d, { ...(id ? { recipientId: id } : {}), ...(activityId ? { activityId } : {}) });
      if (delivered === 'emailed') {
        await this.audit.append({
          actorId: 'system',
          action: 'incident.emailed',
          subjectType: 'incident',
          subjectId: d.incident_id,
          detail: { to: recipient.as, from: this.mailer!.from },
        });
      }
      sent += 1;
    }
    return sent;
  }

  /**
   * A card that did not go: tried again after its back-off, or, after the last attempt, failed.
   * A failure is written once to the audit log as an incident entry, which the safeguarding team
   * reads in full and the IT admin only as "withheld" (policy 002), and logged as an error.
   */
  private async notDelivered(d: DeliveryRow, attempt: number, why: string, recipientId?: string): Promise<void> {
    if (attempt < MOST_ATTEMPTS) {
      await this.store.retryLater(d, new Date(this.now().getTime() + retryAfterMs(attempt)), recipientId);
      return;
    }
    const recipient = recipientOf(d);
    await this.store.failed(d);
    await this.audit.append({
      actorId: 'system',
      action: 'incident.card-undeliverable',
      subjectType: 'incident',
      subjectId: d.incident_id,
      detail: { to: recipient.as, attempts: attempt, why },
    });
    this.logger.error(
      { incident: d.incident_id, recipient: recipient.as, attempts: attempt, why },
      'incident card could not be delivered after every attempt; the safeguarding team is told in the access log',
    );
  }
}
