import type { Kysely, Selectable } from 'kysely';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { Throttled, type Notifier } from '../notify/notifier';
import type { Pacer } from '../notify/pacer';
import type { SchoolDirectory } from '../school/school-directory';
import type { CampaignDeliveryTable, Database } from '../storage/schema';
import { overdueDigestPages, type OverduePerson } from './cards/aup-card';
import type { PolicyVersion } from './policy-library';

type Delivery = Selectable<CampaignDeliveryTable>;

/** What a row's notice needs from its campaign, or undefined when it is no longer needed. */
export type StillAsked = (row: Delivery) => Promise<{ version: PolicyVersion; deadline: string } | undefined>;

/** Why the admins hear about someone: no manager set, their manager has no chat with the bot, or the school's choice. */
type StandIn = { kind: 'no-manager' } | { kind: 'manager-unreachable'; manager: string } | { kind: 'admins-chosen' };

/** Everyone overdue for one policy whom one recipient hears about (and, for an admin, why). */
interface Digest {
  to: string;
  version: PolicyVersion;
  deadline: string;
  rows: Delivery[];
  standIns: StandIn[];
}

/** How one recipient's digest went for one row it was to name. */
type RowResult = 'sent' | 'no-conversation' | { retryInMs: number };

/**
 * Who has been told about an overdue row, kept on the row (`told`) so a retry goes only to those
 * not yet told, whichever instance sends it.
 */
export const toldOf = (row: Pick<Delivery, 'told'>): Set<string> => {
  if (!row.told) return new Set();
  try {
    return new Set(JSON.parse(row.told) as string[]);
  } catch {
    return new Set();
  }
};

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
 * directory's one listing, so the directory is asked once per person, not twice per row. A manager
 * with no chat with the bot is stood in for by the admins, whose card says why. What each
 * recipient was told is tracked per row and per card, so a failed card goes again only to its
 * recipient and only for the people it named: no one hears about the same person twice.
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
    // Someone who has left the school: nothing to send.
    const due = claimed.filter((r) => {
      if (asked.has(r.id) && !names.has(r.person_id)) skipped.push(r);
      return asked.has(r.id) && names.has(r.person_id);
    });
    const { managers, admins } = await this.recipientsOf([...new Set(due.map((r) => r.person_id))]);

    // Who has been told about each row (in earlier rounds too), and who is still to be, for what reason.
    const told = new Map(due.map((r) => [r.id, toldOf(r)]));
    const retry = new Map<string, number>();
    const record = (row: Delivery, to: string, result: RowResult) => {
      if (result === 'sent') told.get(row.id)!.add(to);
      else if (result !== 'no-conversation') retry.set(row.id, Math.max(retry.get(row.id) ?? 0, result.retryInMs));
    };

    // First the line managers, one digest each per policy.
    const standIns = new Map<string, StandIn>();
    const toManagers: Array<[string, Delivery]> = [];
    for (const row of due) {
      const manager = managers.get(row.person_id);
      if (manager === undefined) standIns.set(row.id, { kind: this.notify === 'admins' ? 'admins-chosen' : 'no-manager' });
      else if (!told.get(row.id)!.has(manager)) toManagers.push([manager, row]);
    }
    await this.sendAll(this.digestsOf(toManagers, asked, standIns), names, (row, to, result) => {
      // A manager with no chat with the bot: the admins stand in, as when no manager is set.
      if (result === 'no-conversation') standIns.set(row.id, { kind: 'manager-unreachable', manager: to });
      record(row, to, result);
    });

    // Then the admins, for everyone with no manager to tell, each admin one digest per policy.
    const toAdmins: Array<[string, Delivery]> = [];
    for (const row of due) if (standIns.has(row.id)) for (const admin of admins) if (!told.get(row.id)!.has(admin)) toAdmins.push([admin, row]);
    await this.sendAll(this.digestsOf(toAdmins, asked, standIns), names, record);

    // A row is sent once everyone it goes to has been told; a failure for any of them brings it
    // back for those not told only (they are kept on the row).
    const finished = new Map<string, { set: Partial<Pick<Delivery, 'status' | 'not_before' | 'told'>>; rows: Delivery[] }>();
    for (const row of due) {
      if (admins.length === 0 && standIns.get(row.id)?.kind !== 'manager-unreachable' && standIns.has(row.id)) {
        // No manager and no admins configured: no one to tell, nothing to send.
        skipped.push(row);
        continue;
      }
      const who = [...told.get(row.id)!].sort();
      const toldNow = who.length ? JSON.stringify(who) : null;
      const retryInMs = retry.get(row.id);
      let set: Partial<Pick<Delivery, 'status' | 'not_before' | 'told'>>;
      if (retryInMs !== undefined) {
        set = { status: 'queued', not_before: this.retryAt(row, retryInMs), told: toldNow };
        outcome.deferred += 1;
      } else if (who.length) {
        set = { status: 'sent', told: toldNow };
        outcome.sent += 1;
      } else {
        // No one to tell could be reached (or there is no one): shown as unreachable.
        set = { status: 'no-conversation', told: toldNow };
        outcome.unreachable += 1;
      }
      const key = JSON.stringify(set);
      const group = finished.get(key) ?? { set, rows: [] };
      group.rows.push(row);
      finished.set(key, group);
    }
    for (const { set, rows } of finished.values()) await this.finish(rows, set);
    await this.finish(skipped, { status: 'skipped' });
    outcome.skipped += skipped.length;
    return outcome;
  }

  /** One digest per recipient and policy version, naming everyone overdue for it whom they hear about. */
  private digestsOf(
    pairs: Array<[string, Delivery]>,
    asked: Map<string, { version: PolicyVersion; deadline: string }>,
    standIns: Map<string, StandIn>,
  ): Digest[] {
    const digests = new Map<string, Digest>();
    for (const [to, row] of pairs) {
      const still = asked.get(row.id)!;
      const key = `${to}|${still.version.id}`;
      const digest = digests.get(key) ?? { to, ...still, rows: [], standIns: [] };
      digest.rows.push(row);
      const standIn = standIns.get(row.id);
      if (standIn) digest.standIns.push(standIn);
      digests.set(key, digest);
    }
    return [...digests.values()];
  }

  /** Sends the digests, a few recipients at a time, each recipient's cards in order. */
  private async sendAll(digests: Digest[], names: Map<string, OverduePerson>, record: (row: Delivery, to: string, result: RowResult) => void): Promise<void> {
    const limit = pLimit(this.concurrency);
    const byRecipient = new Map<string, Digest[]>();
    for (const d of digests) byRecipient.set(d.to, [...(byRecipient.get(d.to) ?? []), d]);
    await Promise.all(
      [...byRecipient.values()].map((list) =>
        limit(async () => {
          for (const d of list) for (const [row, result] of await this.sendDigest(d, names)) record(row, d.to, result);
        }),
      ),
    );
  }

  /**
   * Sends one recipient the digest of one policy, card by card, and says for each row what became
   * of it: named on a card that went ('sent'), or on one that did not (no chat, or when to try again).
   */
  private async sendDigest(d: Digest, names: Map<string, OverduePerson>): Promise<Map<Delivery, RowResult>> {
    const people = d.rows.map((row) => ({ ...names.get(row.person_id)!, row }));
    const pages = overdueDigestPages({
      title: d.version.title,
      version: d.version.version,
      deadline: d.deadline,
      coverageUrl: this.coverageUrl(d.version.policy_id),
      people,
      why: this.whyAdmins(d.standIns, names),
    });
    const summary =
      people.length === 1 ? `${people[0]!.displayName} has not accepted ${d.version.title}` : `${people.length} people have not accepted ${d.version.title}`;
    // Those only counted on the last card ("…and N more", on the policy page) go with it.
    const onCards = new Set(pages.flatMap((p) => p.named));
    pages.at(-1)?.named.push(...people.filter((p) => !onCards.has(p)));
    const results = new Map<Delivery, RowResult>();
    let failed: RowResult | undefined;
    for (const { card, named } of pages) {
      if (!failed) {
        try {
          await this.pacer.take(d.to);
          if ((await this.notifier.sendToPerson(d.to, card, summary)) === 'no-conversation') failed = 'no-conversation';
        } catch (e) {
          // Throttled: after Retry-After, and everyone waits. Anything else: later, with a growing delay.
          if (e instanceof Throttled) {
            this.pacer.pauseFor(e.retryAfterMs);
            failed = { retryInMs: e.retryAfterMs };
          } else {
            this.logger.warn({ err: e, to: d.to, policy: d.version.policy_id }, 'overdue notice not sent; will retry');
            failed = { retryInMs: 0 };
          }
        }
      }
      for (const p of named) results.set(p.row, failed ?? 'sent');
    }
    return results;
  }

  /**
   * Why an admin receives the digest (empty for a line manager): no manager set in Entra ID, a
   * manager with no chat with the bot (named, so the admin can help them install the app), or the
   * school sends overdue notices to admins.
   */
  private whyAdmins(standIns: StandIn[], names: Map<string, OverduePerson>): string {
    if (!standIns.length) return '';
    if (standIns.every((s) => s.kind === 'admins-chosen')) return 'You receive this as an admin: the school sends overdue notices to its admins.';
    const unreachable = [...new Set(standIns.flatMap((s) => (s.kind === 'manager-unreachable' ? [s.manager] : [])))];
    const managers = unreachable.slice(0, 5).map((id) => names.get(id)?.displayName ?? 'a manager not in the directory');
    const more = unreachable.length - managers.length;
    const listed = more > 0 ? `${managers.join(', ')} and ${more} more` : managers.join(', ');
    const reasons = [
      ...(standIns.some((s) => s.kind === 'no-manager') ? ['no line manager is set in Entra ID'] : []),
      ...(unreachable.length ? [`their line manager has no chat with this app yet (${listed})`] : []),
    ];
    return `You receive this as an admin because, for ${standIns.length === 1 ? 'this person' : 'these people'}, ${reasons.join(', or ')}.`;
  }

  /**
   * Each overdue person's line manager (asked once a round, a few at a time; none asked when the
   * school chose admins), and the admins, who hear about everyone with no manager to tell.
   */
  private async recipientsOf(people: string[]): Promise<{ managers: Map<string, string>; admins: string[] }> {
    const managers = new Map<string, string>();
    if (!people.length) return { managers, admins: [] };
    const admins = [...((await this.directory.groupMembers('admins')) ?? [])];
    if (this.notify === 'admins') return { managers, admins };
    const limit = pLimit(this.concurrency);
    await Promise.all(
      people.map((p) =>
        limit(async () => {
          const manager = await this.directory.managerOf(p);
          if (manager) managers.set(p, manager);
        }),
      ),
    );
    return { managers, admins };
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

  private async finish(rows: Delivery[], set: Partial<Pick<Delivery, 'status' | 'not_before' | 'told'>>): Promise<void> {
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
