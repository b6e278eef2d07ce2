import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { aupCard } from './cards/aup-card';
import type { Audience } from '../config/school-config';
import type { AppInstaller } from '../notify/app-installer';
import { Throttled, type Notifier } from '../notify/notifier';
import type { Pacer } from '../notify/pacer';
import type { SchoolDirectory } from '../school/school-directory';
import type { CampaignDeliveryTable, CampaignMessageKind, Database } from '../storage/schema';
import type { AcceptanceRegister } from './acceptance-register';
import { membersOf } from './audience';
import { OverdueNotices } from './overdue-notices';
import type { PolicyLibrary, PolicyVersion } from './policy-library';
import { validAcceptance } from './reacceptance';

export interface CampaignSettings {
  /** Days after the card at which unanswered people get a reminder (policy default: 3, then 7). */
  reminderDays: number[];
  /** Days after which the person is overdue and someone is told. */
  deadlineDays: number;
  /**
   * Who hears about an overdue person: their line manager (Graph), or the school's admins. Each
   * hears once a round, in one digest per policy naming everyone overdue.
   */
  overdueNotify: 'manager' | 'admins';
  /**
   * A claim older than this belonged to a process that died: its card is sent again. The schedule
   * sets it to the length of its lease, since only the lease holder sends.
   */
  claimTimeoutMs?: number;
  /**
   * Cards in flight at once (each still waits for its slot in the Pacer). Enough to keep 50 a second
   * with the Bot Connector's ~150 ms answer, and no more: an abrupt kill may repeat the ones in flight.
   */
  concurrency: number;
}

export const DEFAULT_CAMPAIGN_SETTINGS: CampaignSettings = { reminderDays: [3, 7], deadlineDays: 14, overdueNotify: 'manager', concurrency: 8 };

const DAY = 86_400_000;
/** A claim older than this belonged to a process that died: the row is sent again. */
const STALE_CLAIM_MS = 2 * 60_000;
/** How long Teams usually takes to tell the bot about a chat created by installing the app. */
const INSTALL_WAIT_MS = 2 * 60_000;

type Delivery = Selectable<CampaignDeliveryTable>;

export interface Links {
  policyText(versionId: string): string;
  coverage(policyId: string): string;
}

/**
 * Publishing starts a campaign: one queued card per person in the audience, with their reminders
 * and the overdue notice queued ahead, all as rows in the database. `pump` sends what is due at the
 * pace Teams allows. A process killed mid-way leaves rows queued (or claimed, and the claim lapses),
 * and whichever instance pumps next carries on: no one missed, and each row is sent by one claim.
 */
export class AupCampaigns {
  private readonly versions = new Map<string, PolicyVersion>();

  private readonly db: Kysely<Database>;
  private readonly library: PolicyLibrary;
  private readonly register: AcceptanceRegister;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly pacer: Pacer;
  private readonly links: Links;
  private readonly logger: Logger;
  private readonly settings: CampaignSettings;
  private readonly now: () => Date;
  private readonly installer: AppInstaller | undefined;
  private readonly overdue: OverdueNotices;

  constructor(deps: {
    db: Kysely<Database>;
    library: PolicyLibrary;
    register: AcceptanceRegister;
    directory: SchoolDirectory;
    notifier: Notifier;
    pacer: Pacer;
    links: Links;
    logger: Logger;
    settings?: CampaignSettings;
    clock?: () => Date;
    installer?: AppInstaller;
  }) {
    this.db = deps.db;
    this.library = deps.library;
    this.register = deps.register;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.pacer = deps.pacer;
    this.links = deps.links;
    this.logger = deps.logger;
    this.settings = deps.settings ?? DEFAULT_CAMPAIGN_SETTINGS;
    this.now = deps.clock ?? (() => new Date());
    this.installer = deps.installer;
    this.overdue = new OverdueNotices({
      db: this.db,
      directory: this.directory,
      notifier: this.notifier,
      pacer: this.pacer,
      logger: this.logger,
      notify: this.settings.overdueNotify,
      concurrency: this.settings.concurrency,
      claimTimeoutMs: this.settings.claimTimeoutMs ?? STALE_CLAIM_MS,
      clock: this.now,
      coverageUrl: (policyId) => this.links.coverage(policyId),
      stillAsked: (row) => this.stillAsked(row),
    });
  }

  /** Everyone the policy is for, by the configured groups (parents are reached by email links). */
  async audienceOf(version: PolicyVersion): Promise<Set<string>> {
    const people = new Set<string>();
    for (const a of version.audience as Audience[]) for (const id of (await membersOf(this.directory, a)) ?? []) people.add(id);
    return people;
  }

  async start(version: PolicyVersion, startedBy: string): Promise<{ campaignId: string; queued: number }> {
    const existing = await this.db.selectFrom('campaign').select('id').where('policy_version_id', '=', version.id).executeTakeFirst();
    const campaignId = existing?.id ?? randomUUID();
    const start = this.now();
    if (!existing) {
      await this.db
        .insertInto('campaign')
        .values({
          id: campaignId,
          policy_version_id: version.id,
          started_at: start.toISOString(),
          started_by: startedBy,
          deadline: new Date(start.getTime() + this.settings.deadlineDays * DAY).toISOString(),
        })
        .execute();
    }
    const queued = await this.enrol(campaignId, [...(await this.audienceOf(version))], start);
    return { campaignId, queued };
  }

  /**
   * New joiners (someone newly in an audience group) get the card of every running campaign, with
   * their own reminders counted from today. Safe to run as often as wanted: rows are unique.
   */
  async enrolJoiners(): Promise<number> {
    let added = 0;
    for (const c of await this.latestCampaigns()) {
      const version = await this.version(c.policy_version_id);
      const enrolled = new Set(
        (await this.db.selectFrom('campaign_delivery').select('person_id').where('campaign_id', '=', c.id).where('kind', '=', 'card').execute()).map(
          (r) => r.person_id,
        ),
      );
      const joiners = [...(await this.audienceOf(version))].filter((id) => !enrolled.has(id));
      added += await this.enrol(c.id, joiners, this.now());
    }
    return added;
  }

  /** Sends everything that is due now (or for `budgetMs`, leaving the rest for the next round). */
  async pump(options: { budgetMs?: number } = {}): Promise<{ sent: number; skipped: number; deferred: number; unreachable: number }> {
    const outcome = { sent: 0, skipped: 0, deferred: 0, unreachable: 0 };
    const limit = pLimit(this.settings.concurrency);
    const stopAt = options.budgetMs ? Date.now() + options.budgetMs : Infinity;
    // Overdue notices first: a few digests, however many people are late.
    const overdue = await this.overdue.send(stopAt);
    for (const k of Object.keys(outcome) as Array<keyof typeof outcome>) outcome[k] += overdue[k];
    for (;;) {
      if (Date.now() > stopAt) return outcome;
      const due = await this.dueRows(500);
      if (due.length === 0) return outcome;
      const results = await Promise.all(due.map((row) => limit(() => this.deliver(row))));
      for (const r of results) if (r) outcome[r] += 1;
      if (due.length < 500) return outcome;
    }
  }

  /**
   * The campaign's version and deadline while the row is still needed: undefined once the person
   * has accepted it, or a newer version's campaign asks instead.
   */
  private async stillAsked(row: Delivery): Promise<{ version: PolicyVersion; deadline: string } | undefined> {
    const campaign = await this.db.selectFrom('campaign').selectAll().where('id', '=', row.campaign_id).executeTakeFirstOrThrow();
    const version = await this.version(campaign.policy_version_id);
    const latest = await this.library.latest(version.policy_id);
    if (latest && latest.version !== version.version) return undefined;
    const rule = this.library.policy(version.policy_id).reacceptance;
    const history = await this.register.history(row.person_id, version.policy_id);
    const accepted = validAcceptance(
      history.map((a) => ({ ...a, acceptedAt: a.accepted_at })),
      version.version,
      rule,
      this.now(),
    );
    return accepted ? undefined : { version, deadline: campaign.deadline.slice(0, 10) };
  }

  /** One person's card or reminder: claim it, decide, send, record. */
  private async deliver(row: Delivery): Promise<'sent' | 'skipped' | 'deferred' | 'unreachable' | undefined> {
    const claimedAt = this.now().toISOString();
    const claim = await this.db
      .updateTable('campaign_delivery')
      .set({ status: 'sending', updated_at: claimedAt })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .where('updated_at', '=', row.updated_at)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return undefined;

    const finish = (set: Partial<Delivery>) =>
      this.db
        .updateTable('campaign_delivery')
        .set({ attempts: row.attempts + 1, updated_at: this.now().toISOString(), ...set })
        .where('id', '=', row.id)
        .execute();

    try {
      const still = await this.stillAsked(row);
      if (!still) return this.skip(finish);
      const { version, deadline } = still;
      const recipient = row.person_id;
      const card = aupCard({
        versionId: version.id,
        title: version.title,
        version: version.version,
        clauses: version.clauses,
        textUrl: this.links.policyText(version.id),
        reminder: row.kind !== 'card',
        deadline,
      });
      const summary = row.kind === 'card' ? `Please read and accept: ${version.title}` : `Reminder: ${version.title}`;
      await this.pacer.take(recipient);
      const sent = this.notifier.sendTracked
        ? await this.notifier.sendTracked(recipient, card, summary)
        : { delivery: await this.notifier.sendToPerson(recipient, card, summary) };
      if (sent.delivery === 'no-conversation') {
        // Not in Teams with the app yet: install it for them and try again once Teams has told the
        // bot about the new chat. After three tries they are listed as unreachable.
        if (this.installer && row.attempts < 3) {
          const installed = await this.installer.installFor(recipient);
          if (installed !== 'not-allowed') {
            await finish({ status: 'queued', not_before: new Date(this.now().getTime() + INSTALL_WAIT_MS).toISOString() });
            return 'deferred';
          }
        }
        await finish({ status: 'no-conversation' });
        return 'unreachable';
      }
      await finish({ status: 'sent', activity_id: 'activityId' in sent ? (sent.activityId ?? null) : null });
      return 'sent';
    } catch (e) {
      // Throttled: back in the queue after Retry-After, and everyone waits. Anything else: retry
      // with a growing delay; the row is never lost.
      const waitMs = e instanceof Throttled ? e.retryAfterMs : Math.min(3_600_000, 30_000 * 2 ** row.attempts);
      if (e instanceof Throttled) this.pacer.pauseFor(e.retryAfterMs);
      else this.logger.warn({ err: e, delivery: row.id }, 'policy card not sent; will retry');
      await finish({ status: 'queued', not_before: new Date(this.now().getTime() + waitMs).toISOString() });
      return 'deferred';
    }
  }

  private async skip(finish: (set: Partial<Delivery>) => Promise<unknown>): Promise<'skipped'> {
    await finish({ status: 'skipped' });
    return 'skipped';
  }

  private async enrol(campaignId: string, people: string[], from: Date): Promise<number> {
    const at = from.toISOString();
    const plan: Array<[CampaignMessageKind, number]> = [
      ['card', 0],
      ...this.settings.reminderDays.slice(0, 2).map((d, i): [CampaignMessageKind, number] => [i === 0 ? 'reminder-1' : 'reminder-2', d]),
      ['overdue', this.settings.deadlineDays],
    ];
    let added = 0;
    // Chunks keep each statement under SQLite's variable limit; rows already there are left alone.
    for (let i = 0; i < people.length; i += 250) {
      const rows = people.slice(i, i + 250).flatMap((person_id) =>
        plan.map(([kind, days]) => ({
          id: randomUUID(),
          campaign_id: campaignId,
          person_id,
          kind,
          status: 'queued' as const,
          attempts: 0,
          not_before: new Date(from.getTime() + days * DAY).toISOString(),
          updated_at: at,
          activity_id: null,
        })),
      );
      const result = await this.db
        .insertInto('campaign_delivery')
        .values(rows)
        .onConflict((oc) => oc.columns(['campaign_id', 'person_id', 'kind']).doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
    return Math.round(added / plan.length);
  }

  private async dueRows(limit: number): Promise<Delivery[]> {
    const now = this.now();
    const stale = new Date(now.getTime() - (this.settings.claimTimeoutMs ?? STALE_CLAIM_MS)).toISOString();
    return (
      this.db
        .selectFrom('campaign_delivery')
        .selectAll()
        // Overdue notices go as digests (OverdueNotices), not one by one.
        .where('kind', '!=', 'overdue')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('not_before', '<=', now.toISOString())]),
            eb.and([eb('status', '=', 'sending'), eb('updated_at', '<', stale)]),
          ]),
        )
        .orderBy('not_before')
        .limit(limit)
        .execute()
    );
  }

  /** The newest campaign of each policy: only those enrol joiners. */
  private async latestCampaigns() {
    const all = await this.db
      .selectFrom('campaign')
      .innerJoin('policy_version', 'policy_version.id', 'campaign.policy_version_id')
      .select(['campaign.id', 'campaign.policy_version_id', 'policy_version.policy_id', 'policy_version.version'])
      .execute();
    const newest = new Map<string, (typeof all)[number]>();
    for (const c of all) if ((newest.get(c.policy_id)?.version ?? 0) < c.version) newest.set(c.policy_id, c);
    return [...newest.values()];
  }

  private async version(id: string): Promise<PolicyVersion> {
    const cached = this.versions.get(id);
    if (cached) return cached;
    const v = await this.library.get(id);
    if (!v) throw new Error(`policy version ${id} is missing`);
    this.versions.set(id, v);
    return v;
  }
}
