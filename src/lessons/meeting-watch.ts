import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { outsiderMeetingCard } from '../cards/lesson-cards';
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

const notificationSchema = z.object({
  value: z
    .array(
      z.object({
        subscriptionId: z.string().min(1),
        clientState: z.string().optional(),
        changeType: z.string(),
        resource: z.string(),
        resourceData: z.object({ id: z.string().min(1) }).passthrough(),
      }).passthrough(),
    )
    .min(1)
    .max(1000),
});

interface GraphEvent extends Present<Graph.Event, 'id'>, Optional<Graph.Event, 'subject' | 'isOrganizer' | 'isOnlineMeeting' | 'start' | 'organizer' | 'attendees'> {
  id: string;
  subject?: string;
  isOrganizer?: boolean;
  isOnlineMeeting?: boolean;
  start?: { dateTime?: string };
  organizer?: { emailAddress?: { address?: string } };
  attendees?: Array<{ emailAddress?: { address?: string } }>;
}

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
 */
export class MeetingWatch {
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: SchoolConfig,
    private readonly graph: GraphAccess,
    private readonly directory: SchoolDirectory,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
    private readonly notificationUrl: () => string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.audit = new AuditLog(db, now);
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
        const clientState = randomBytes(24).toString('base64url');
        const resource = `/users/${userId}/events`;
        const sub = await this.graph.post<{ id: string }>('/subscriptions', { changeType: 'created,updated', notificationUrl: this.notificationUrl(), resource, expirationDateTime: expires, clientState });
        await this.db.insertInto('graph_subscription').values({ id: sub.id, user_id: userId, resource, client_state: clientState, expires_at: expires }).execute();
        out.created += 1;
      } catch (e) {
        out.failed += 1;
        this.logger.warn({ err: e }, 'could not subscribe to a staff calendar');
      }
    }
    return out;
  }

  /**
   * A POST from Graph. Items whose subscription or secret does not match are refused; the rest are
   * acted on once each. Returns how many were accepted and refused.
   */
  async receive(body: unknown): Promise<{ accepted: number; refused: number }> {
    const parsed = notificationSchema.safeParse(body);
    if (!parsed.success) return { accepted: 0, refused: 1 };
    let accepted = 0;
    let refused = 0;
    for (const n of parsed.data.value) {
      const sub = await this.db.selectFrom('graph_subscription').selectAll().where('id', '=', n.subscriptionId).executeTakeFirst();
      if (!sub || !n.clientState || !sameSecret(sub.client_state, n.clientState)) {
        refused += 1;
        continue;
      }
      accepted += 1;
      // Graph may deliver the same notification again: act once.
      const key = `n:${createHash('sha256').update(JSON.stringify([n.subscriptionId, n.changeType, n.resourceData.id, (n as { subscriptionExpirationDateTime?: string }).subscriptionExpirationDateTime ?? '', (n.resourceData as { '@odata.etag'?: string })['@odata.etag'] ?? ''])).digest('hex')}`;
      if (!(await this.firstTime(key))) continue;
      await this.check(sub.user_id, n.resourceData.id).catch((e) => this.logger.warn({ err: e }, 'could not check a changed meeting'));
    }
    if (refused) this.logger.warn({ refused }, 'change notifications refused: unknown subscription or wrong clientState');
    return { accepted, refused };
  }

  /** Reads the event from Graph (never trusting the notification) and warns its organiser once. */
  private async check(userId: string, eventId: string): Promise<void> {
    const e = await this.graph.get<GraphEvent>(`/users/${userId}/events/${eventId}?$select=subject,isOrganizer,isOnlineMeeting,start,organizer,attendees`);
    const outside = breaksRemoteWorking(
      { isOrganizer: !!e.isOrganizer, isOnlineMeeting: !!e.isOnlineMeeting, organizer: e.organizer?.emailAddress?.address ?? '', attendees: (e.attendees ?? []).map((a) => a.emailAddress?.address ?? '').filter(Boolean) },
      this.config.school.mailDomains,
    );
    if (outside.length === 0) return;
    // The same meeting with the same outsiders is one warning, however many updates follow.
    if (!(await this.firstTime(`w:${eventId}:${[...outside].sort().join(',')}`))) return;
    const card = outsiderMeetingCard({ subject: e.subject ?? '(no subject)', starts: (e.start?.dateTime ?? '').slice(0, 16).replace('T', ' '), outsiders: outside.join(', ') });
    await this.notifier.sendToPerson(userId, card, 'A Teams meeting with people outside the school');
    await this.audit.append({ actorId: null, action: 'meeting.external-attendee-warned', subjectType: 'meeting', subjectId: eventId, detail: { organizerId: userId, outsiders: outside.length } });
  }

  private async firstTime(key: string): Promise<boolean> {
    const r = await this.db.insertInto('graph_notification_seen').values({ key, seen_at: this.now().toISOString() }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}
