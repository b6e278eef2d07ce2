import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { outsiderMeetingCard } from './cards/lesson-cards';
import type { SchoolConfig } from '../config/school-config';
import type { GraphAccess } from '../graph/graph-access';
import type { Graph, Optional, Present } from '../graph/graph-types';
import type { Notifier } from '../notify/notifier';
import type { SchoolDirectory } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import type { Database } from '../storage/schema';
import { breaksRemoteWorking } from './lesson-rules';

/** Outlook event subscriptions last at most 4,230 minutes; they are renewed a day before. */
const LIFETIME_MS = 4200 * 60_000;
const RENEW_WITHIN_MS = 24 * 3_600_000;

/** A change: something in a watched calendar was created or updated. */
const changeSchema = z
  .object({
    subscriptionId: z.string().min(1),
    clientState: z.string().optional(),
    changeType: z.string(),
    resource: z.string(),
    resourceData: z.object({ id: z.string().min(1) }).passthrough(),
  })
  .passthrough();

/**
 * A lifecycle notification (change-notifications-lifecycle-events.md): Graph asks the app to
 * reauthorise a subscription, says it removed one, or says it could not deliver some changes.
 */
const lifecycleSchema = z
  .object({
    subscriptionId: z.string().min(1),
    clientState: z.string().optional(),
    lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
  })
  .passthrough();

const notificationSchema = z.object({
  value: z
    .array(z.union([lifecycleSchema, changeSchema]))
    .min(1)
    .max(1000),
});
type Notification = z.infer<typeof notificationSchema>['value'][number];
const isLifecycle = (n: Notification): n is z.infer<typeof lifecycleSchema> => 'lifecycleEvent' in n;

interface GraphEvent
  extends Present<Graph.Event, 'id'>, Optional<Graph.Event, 'subject' | 'isOrganizer' | 'isOnlineMeeting' | 'start' | 'organizer' | 'attendees'> {
  id: string;
  subject?: string;
  isOrganizer?: boolean;
  isOnlineMeeting?: boolean;
  start?: { dateTime?: string };
  organizer?: { emailAddress?: { address?: string } };
  attendees?: Array<{ emailAddress?: { address?: string } }>;
}

const EVENT_FIELDS = 'subject,isOrganizer,isOnlineMeeting,start,organizer,attendees';

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Watches staff calendars through Graph change notifications, so a member of staff who organises a
 * Teams meeting with people outside the school hears about it at once (policy 000 "5. Remote
 * Working"). A notification is only a hint: its subscription's secret (clientState) must match,
 * and the event is read again from Graph before anything is decided.
 *
 * Graph wants an answer within 3 seconds, or it retries, then throttles and drops the endpoint's
 * notifications (change-notifications-delivery-webhooks.md, "Processing the change
 * notification"): `receive` checks and stores, the webhook answers 202, and `drain` processes from
 * the stored queue afterwards (again on the schedule, so nothing stored is lost to a restart).
 */
export class MeetingWatch {
  private readonly audit: AuditLog;

  private readonly db: Kysely<Database>;
  private readonly config: SchoolConfig;
  private readonly graph: GraphAccess;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly logger: Logger;
  private readonly notificationUrl: () => string;
  private readonly now: () => Date;

  constructor(deps: {
    db: Kysely<Database>;
    config: SchoolConfig;
    graph: GraphAccess;
    directory: SchoolDirectory;
    notifier: Notifier;
    logger: Logger;
    notificationUrl: () => string;
    clock?: () => Date;
  }) {
    this.db = deps.db;
    this.config = deps.config;
    this.graph = deps.graph;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.logger = deps.logger;
    this.notificationUrl = deps.notificationUrl;
    this.now = deps.clock ?? (() => new Date());
    this.audit = new AuditLog(this.db, this.now);
  }

  /** One subscription per member of staff's calendar, created or renewed before it lapses. */
  async ensureSubscriptions(): Promise<{ created: number; renewed: number; failed: number }> {
    const staff = [...((await this.directory.groupMembers('staff')) ?? [])];
    const existing = new Map((await this.db.selectFrom('graph_subscription').selectAll().execute()).map((s) => [s.user_id, s]));
    const out = { created: 0, renewed: 0, failed: 0 };
    const expires = new Date(this.now().getTime() + LIFETIME_MS).toISOString();
    for (const userId of staff) {
      const current = existing.get(userId);
      try {
        if (current && Date.parse(current.expires_at) - this.now().getTime() > RENEW_WITHIN_MS) continue;
        if (current) {
          try {
            await this.graph.patch(`/subscriptions/${current.id}`, { expirationDateTime: expires });
            await this.db.updateTable('graph_subscription').set({ expires_at: expires }).where('id', '=', current.id).execute();
            out.renewed += 1;
            continue;
          } catch {
            // Lapsed or deleted on Graph's side: make a new one below.
            await this.db.deleteFrom('graph_subscription').where('id', '=', current.id).execute();
          }
        }
        await this.subscribe(userId);
        out.created += 1;
      } catch (e) {
        out.failed += 1;
        this.logger.warn({ err: e }, 'could not subscribe to a staff calendar');
      }
    }
    return out;
  }

  /**
   * A POST from Graph, checked and stored, not yet acted on. Items whose subscription or secret
   * does not match are refused. Returns how many were accepted and refused.
   */
  async receive(body: unknown): Promise<{ accepted: number; refused: number }> {
    const parsed = notificationSchema.safeParse(body);
    if (!parsed.success) return { accepted: 0, refused: 1 };
    const accepted: Notification[] = [];
    const calendars = new Set<string>();
    let refused = 0;
    for (const n of parsed.data.value) {
      const sub = await this.db.selectFrom('graph_subscription').select(['client_state', 'user_id']).where('id', '=', n.subscriptionId).executeTakeFirst();
      if (!sub || !n.clientState || !sameSecret(sub.client_state, n.clientState)) refused += 1;
      else {
        accepted.push(n);
        calendars.add(sub.user_id);
      }
    }
    // The audit reads again only calendars that changed (or whose notifications went missing):
    // it learns which from here, not by reading every calendar.
    const at = this.now().toISOString();
    for (const userId of calendars)
      await this.db
        .insertInto('calendar_change')
        .values({ user_id: userId, changed_at: at })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ changed_at: at }))
        .execute();
    if (refused) this.logger.warn({ refused }, 'change notifications refused: unknown subscription or wrong clientState');
    if (accepted.length)
      await this.db
        .insertInto('graph_notification_queue')
        .values({ body: JSON.stringify(accepted), received_at: this.now().toISOString(), claimed_at: null, attempts: 0 })
        .execute();
    return { accepted: accepted.length, refused };
  }

  /**
   * Acts on the stored notifications, oldest first, each batch by one instance (claimed first). A
   * batch that fails is tried again later, at most 5 times. Concurrent calls share one run.
   */
  drain(): Promise<{ processed: number }> {
    this.draining ??= this.drainOnce().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private draining: Promise<{ processed: number }> | undefined;

  private async drainOnce(): Promise<{ processed: number }> {
    let processed = 0;
    // A claim older than this is from an instance that stopped mid-way.
    const stale = new Date(this.now().getTime() - 10 * 60_000).toISOString();
    for (;;) {
      const row = await this.db
        .selectFrom('graph_notification_queue')
        .selectAll()
        .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', stale)]))
        .where('attempts', '<', 5)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!row) return { processed };
      const claim = await this.db
        .updateTable('graph_notification_queue')
        .set({ claimed_at: this.now().toISOString(), attempts: row.attempts + 1 })
        .where('id', '=', row.id)
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) continue;
      try {
        for (const n of JSON.parse(row.body) as Notification[]) await this.act(n);
        await this.db.deleteFrom('graph_notification_queue').where('id', '=', row.id).execute();
        processed += 1;
      } catch (e) {
        // The claim stays: the row is tried again once it is stale (ten minutes), not at once in this
        // loop, so a short Graph outage does not spend every attempt in a few milliseconds.
        // After the fifth the row stays, unclaimed by anyone, for an admin to see in the log.
        if (row.attempts + 1 >= 5) this.logger.error({ err: e, notificationRow: row.id }, 'change notification given up after 5 attempts');
        else this.logger.warn({ err: e, attempts: row.attempts + 1 }, 'change notification not processed; tried again in ten minutes');
      }
    }
  }

  private async act(n: Notification): Promise<void> {
    const sub = await this.db.selectFrom('graph_subscription').selectAll().where('id', '=', n.subscriptionId).executeTakeFirst();
    if (!sub) return;
    if (isLifecycle(n)) return this.lifecycle(n.lifecycleEvent, sub);
    // Graph may deliver the same notification again: act once.
    const key = `n:${createHash('sha256')
      .update(
        JSON.stringify([
          n.subscriptionId,
          n.changeType,
          n.resourceData.id,
          (n as { subscriptionExpirationDateTime?: string }).subscriptionExpirationDateTime ?? '',
          (n.resourceData as { '@odata.etag'?: string })['@odata.etag'] ?? '',
        ]),
      )
      .digest('hex')}`;
    if (!(await this.firstTime(key))) return;
    await this.check(sub.user_id, n.resourceData.id).catch((e) => this.logger.warn({ err: e }, 'could not check a changed meeting'));
  }

  /**
   * change-notifications-lifecycle-events.md: reauthorizationRequired, renew (a PATCH of the
   * expiry reauthorises, subscription-update.md); subscriptionRemoved, create it again; missed,
   * some changes were not delivered, so the calendar is read again.
   */
  private async lifecycle(
    event: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed',
    sub: { id: string; user_id: string; expires_at: string },
  ): Promise<void> {
    if (event === 'reauthorizationRequired') {
      const expires = new Date(this.now().getTime() + LIFETIME_MS).toISOString();
      try {
        await this.graph.patch(`/subscriptions/${sub.id}`, { expirationDateTime: expires });
        await this.db.updateTable('graph_subscription').set({ expires_at: expires }).where('id', '=', sub.id).execute();
        return;
      } catch (e) {
        this.logger.warn({ err: e }, 'could not reauthorise a calendar subscription; making a new one');
      }
    }
    if (event === 'reauthorizationRequired' || event === 'subscriptionRemoved') {
      await this.db.deleteFrom('graph_subscription').where('id', '=', sub.id).execute();
      await this.subscribe(sub.user_id);
      return;
    }
    const events = await this.graph.all<GraphEvent>(`/users/${sub.user_id}/events?$select=${EVENT_FIELDS}&$top=100`);
    for (const e of events) await this.judge(sub.user_id, e).catch((err) => this.logger.warn({ err }, 'could not check a meeting after missed notifications'));
  }

  /** Reads the event from Graph (never trusting the notification) and warns its organiser once. */
  private async check(userId: string, eventId: string): Promise<void> {
    await this.judge(userId, await this.graph.get<GraphEvent>(`/users/${userId}/events/${eventId}?$select=${EVENT_FIELDS}`));
  }

  private async judge(userId: string, e: GraphEvent): Promise<void> {
    const eventId = e.id;
    const outside = breaksRemoteWorking(
      {
        isOrganizer: !!e.isOrganizer,
        isOnlineMeeting: !!e.isOnlineMeeting,
        organizer: e.organizer?.emailAddress?.address ?? '',
        attendees: (e.attendees ?? []).map((a) => a.emailAddress?.address ?? '').filter(Boolean),
      },
      this.config.school.mailDomains,
    );
    if (outside.length === 0) return;
    // The same meeting with the same outsiders is one warning, however many updates follow.
    if (!(await this.firstTime(`w:${eventId}:${[...outside].sort().join(',')}`))) return;
    const card = outsiderMeetingCard({
      subject: e.subject ?? '(no subject)',
      starts: (e.start?.dateTime ?? '').slice(0, 16).replace('T', ' '),
      outsiders: outside.join(', '),
    });
    await this.notifier.sendToPerson(userId, card, 'A Teams meeting with people outside the school');
    await this.audit.append({
      actorId: null,
      action: 'meeting.external-attendee-warned',
      subjectType: 'meeting',
      subjectId: eventId,
      detail: { organizerId: userId, outsiders: outside.length },
    });
  }

  private async subscribe(userId: string): Promise<void> {
    const expires = new Date(this.now().getTime() + LIFETIME_MS).toISOString();
    const clientState = randomBytes(24).toString('base64url');
    const resource = `/users/${userId}/events`;
    // Lifecycle notifications come to the same endpoint (change-notifications-lifecycle-events.md).
    const sub = await this.graph.post<{ id: string }>('/subscriptions', {
      changeType: 'created,updated',
      notificationUrl: this.notificationUrl(),
      lifecycleNotificationUrl: this.notificationUrl(),
      resource,
      expirationDateTime: expires,
      clientState,
    });
    await this.db
      .insertInto('graph_subscription')
      .values({ id: sub.id, user_id: userId, resource, client_state: clientState, expires_at: expires, watching_since: this.now().toISOString() })
      .execute();
  }

  private async firstTime(key: string): Promise<boolean> {
    const r = await this.db
      .insertInto('graph_notification_seen')
      .values({ key, seen_at: this.now().toISOString() })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}
