import type { Kysely, Selectable } from 'kysely';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { Throttled, type Notifier } from '../notify/notifier';
import type { Pacer } from '../notify/pacer';
import type { SchoolDirectory } from '../school/school-directory';
import type { CampaignDeliveryTable, Database } from '../storage/schema';
import { overdueDigestCards, type OverduePerson } from './cards/aup-card';
import type { PolicyVersion } from './policy-library';

type Delivery = Selectable<CampaignDeliveryTable>;

/** What a row's notice needs from its campaign, or undefined when it is no longer needed. */
export type StillAsked = (row: Delivery) => Promise<{ version: PolicyVersion; deadline: string } | undefined>;

/** Everyone overdue for one policy whom one recipient hears about. */
interface Digest {
  to: string;
  version: PolicyVersion;
  deadline: string;
  rows: Delivery[];
}

export interface OverdueOutcome {
  sent: number;
  skipped: number;
  deferred: number;
  unreachable: number;
}

/** Rows claimed or finished per statement: well under SQLite's and PostgreSQL's parameter limits. */
const PAGE = 500;

/**
 * The overdue notices of a round (policy 001: "we know who has signed", and someone acts on who
 * has not). Every overdue row due now is claimed at once, and each recipient (a line manager, or
 * each admin) gets one digest per policy naming everyone overdue, not a card per person: a whole
 * year group missing the deadline was 2,000 cards in each admin's chat, more than Teams lets a bot
 * send to one chat in an hour. Each person's manager is asked once a round and names come from the
 * directory's one listing, so the directory is asked once per person, not twice per row.
 */
export class OverdueNotices {
  private readonly db: Kysely<Database>;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly pacer: Pacer;
  private readonly logger: Logger;
  private readonly notify: 'manager' | 'admins';
  private readonly concurrency: number;
  private readonly claimTimeoutMs: number;
  private readonly now: () => Date;
  private readonly coverageUrl: (policyId: string) => string;
  private readonly stillAsked: StillAsked;

  constructor(deps: {
    db: Kysely<Database>;
    directory: SchoolDirectory;
    notifier: Notifier;
    pacer: Pacer;
    logger: Logger;
    notify: 'manager' | 'admins';
    concurrency: number;
    claimTimeoutMs: number;
    clock: () => Date;
    coverageUrl: (policyId: string) => string;
    stillAsked: StillAsked;
  }) {
    this.db = deps.db;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.pacer = deps.pacer;
    this.logger = deps.logger;
    this.notify = deps.notify;
    this.concurrency = deps.concurrency;
    this.claimTimeoutMs = deps.claimTimeoutMs;
    this.now = deps.clock;
    this.coverageUrl = deps.coverageUrl;
    this.stillAsked = deps.stillAsked;
  }

  /** Sends the digests of every overdue row due now (claimed until `stopAt`). */
  async send(stopAt: number): Promise<OverdueOutcome> {
    const outcome: OverdueOutcome = { sent: 0, skipped: 0, deferred: 0, unreachable: 0 };
    const claimed: Delivery[] = [];
    while (Date.now() <= stopAt) {
      const page = await this.claimDue();
      claimed.push(...page);
      if (page.length < PAGE) break;
    }
    if (!claimed.length) return outcome;
    try {
      return await this.notifyAbout(claimed, outcome);
    } catch (e) {
      // The directory did not answer (or the database failed mid-way): every claimed row goes again
      // later, none is lost.
      this.logger.warn({ err: e, rows: claimed.length }, 'overdue notices not sent; will retry');
      for (const row of claimed) await this.finish([row], { status: 'queued', not_before: this.retryAt(row, 0) });
      return { ...outcome, deferred: claimed.length };
    }
  }

  private retryAt(row: Delivery, retryInMs: number): string {
    return new Date(this.now().getTime() + (retryInMs || Math.min(3_600_000, 30_000 * 2 ** row.attempts))).toISOString();
  }

  private async notifyAbout(claimed: Delivery[], outcome: OverdueOutcome): Promise<OverdueOutcome> {
    const asked = new Map<string, { version: PolicyVersion; deadline: string }>();
    const skipped: Delivery[] = [];
    for (const row of claimed) {
      const still = await this.stillAsked(row);
      if (still) asked.set(row.id, still);
      else skipped.push(row);
    }
    const names = asked.size ? await this.directory.names() : new Map<string, OverduePerson>();
    const recipients = await this.recipientsOf([...new Set(claimed.filter((r) => asked.has(r.id)).map((r) => r.person_id))]);

    // One digest per recipient and policy version, naming everyone overdue for it.
    const digests = new Map<string, Digest>();
    for (const row of claimed) {
      const still = asked.get(row.id);
      const to = recipients.get(row.person_id) ?? [];
      // Someone who has left the school, or no one to tell: nothing to send.
      if (!still || !names.has(row.person_id) || to.length === 0) {
        if (still) skipped.push(row);
        continue;
      }
      for (const recipient of to) {
        const key = `${recipient}|${still.version.id}`;
        const digest = digests.get(key) ?? { to: recipient, ...still, rows: [] };
        digest.rows.push(row);
        digests.set(key, digest);
      }
    }

    // What became of each row across its recipients: sent to any, failed for any, or reached no one.
    const results = new Map<string, { sent: boolean; unreachable: boolean; retryInMs?: number }>();
    const limit = pLimit(this.concurrency);
    const byRecipient = new Map<string, Digest[]>();
    for (const d of digests.values()) byRecipient.set(d.to, [...(byRecipient.get(d.to) ?? []), d]);
    await Promise.all(
      [...byRecipient.values()].map((list) =>
        limit(async () => {
          // One recipient's cards in order, one policy after another.
          for (const d of list) {
            const result = await this.sendDigest(d.to, d.version, d.deadline, d.rows, names);
            for (const row of d.rows) {
              const r = results.get(row.id) ?? { sent: false, unreachable: false };
              if (result === 'sent') r.sent = true;
              else if (result === 'no-conversation') r.unreachable = true;
              else r.retryInMs = Math.max(r.retryInMs ?? 0, result.retryInMs);
              results.set(row.id, r);
            }
          }
        }),
      ),
    );

    await this.finish(skipped, { status: 'skipped' });
    outcome.skipped += skipped.length;
    const sent: Delivery[] = [];
    const unreachable: Delivery[] = [];
    for (const row of claimed) {
      const r = results.get(row.id);
      if (!r) continue;
      if (r.retryInMs !== undefined) {
        // Any recipient not reached for a failure: the row goes again later, to all of them.
        await this.finish([row], { status: 'queued', not_before: this.retryAt(row, r.retryInMs) });
        outcome.deferred += 1;
      } else if (r.sent) sent.push(row);
      else unreachable.push(row);
    }
    await this.finish(sent, { status: 'sent' });
    await this.finish(unreachable, { status: 'no-conversation' });
    outcome.sent += sent.length;
    outcome.unreachable += unreachable.length;
    return outcome;
  }

  /** Sends one recipient the digest of one policy: 'sent', 'no-conversation', or when to try again. */
  private async sendDigest(
    to: string,
    version: PolicyVersion,
    deadline: string,
    rows: Delivery[],
    names: Map<string, OverduePerson>,
  ): Promise<'sent' | 'no-conversation' | { retryInMs: number }> {
    const people = rows.map((r) => names.get(r.person_id)!);
    const cards = overdueDigestCards({ title: version.title, version: version.version, deadline, coverageUrl: this.coverageUrl(version.policy_id), people });
    const summary =
      people.length === 1 ? `${people[0]!.displayName} has not accepted ${version.title}` : `${people.length} people have not accepted ${version.title}`;
    try {
      for (const card of cards) {
        await this.pacer.take(to);
        if ((await this.notifier.sendToPerson(to, card, summary)) === 'no-conversation') return 'no-conversation';
      }
      return 'sent';
    } catch (e) {
      // Throttled: after Retry-After, and everyone waits. Anything else: later, with a growing delay.
      if (e instanceof Throttled) {
        this.pacer.pauseFor(e.retryAfterMs);
        return { retryInMs: e.retryAfterMs };
      }
      this.logger.warn({ err: e, to, policy: version.policy_id }, 'overdue notice not sent; will retry');
      return { retryInMs: 0 };
    }
  }

  /**
   * The people each overdue person's notice goes to: their line manager (asked once a round, a few
   * at a time), or the admins when none is set or the school chose admins.
   */
  private async recipientsOf(people: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!people.length) return out;
    const admins = [...((await this.directory.groupMembers('admins')) ?? [])];
    if (this.notify === 'admins') {
      for (const p of people) out.set(p, admins);
      return out;
    }
    const limit = pLimit(this.concurrency);
    await Promise.all(
      people.map((p) =>
        limit(async () => {
          const manager = await this.directory.managerOf(p);
          out.set(p, manager ? [manager] : admins);
        }),
      ),
    );
    return out;
  }

  /** Claims up to a page of due overdue rows in one statement: a row another process claimed is no longer due. */
  private async claimDue(): Promise<Delivery[]> {
    const now = this.now();
    const at = now.toISOString();
    const stale = new Date(now.getTime() - this.claimTimeoutMs).toISOString();
    const due = await this.db
      .selectFrom('campaign_delivery')
      .select('id')
      .where('kind', '=', 'overdue')
      .where((eb) =>
        eb.or([eb.and([eb('status', '=', 'queued'), eb('not_before', '<=', at)]), eb.and([eb('status', '=', 'sending'), eb('updated_at', '<', stale)])]),
      )
      .orderBy('not_before')
      .limit(PAGE)
      .execute();
    if (!due.length) return [];
    return this.db
      .updateTable('campaign_delivery')
      .set({ status: 'sending', updated_at: at })
      .where(
        'id',
        'in',
        due.map((r) => r.id),
      )
      .where((eb) =>
        eb.or([eb.and([eb('status', '=', 'queued'), eb('not_before', '<=', at)]), eb.and([eb('status', '=', 'sending'), eb('updated_at', '<', stale)])]),
      )
      .returningAll()
      .execute();
  }

  private async finish(rows: Delivery[], set: Partial<Pick<Delivery, 'status' | 'not_before'>>): Promise<void> {
    for (let i = 0; i < rows.length; i += PAGE)
      await this.db
        .updateTable('campaign_delivery')
        .set((eb) => ({ ...set, attempts: eb('attempts', '+', 1), updated_at: this.now().toISOString() }))
        .where(
          'id',
          'in',
          rows.slice(i, i + PAGE).map((r) => r.id),
        )
        .execute();
  }
}
