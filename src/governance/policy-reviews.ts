import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { describeZodError } from '../config/load-school-config';
import type { SchoolConfig } from '../config/school-config';
import { policyReviewDueCard } from './cards/governance-cards';
import type { Notifier } from '../notify/notifier';
import type { Person, SchoolDirectory } from '../school/school-directory';
import type { Database } from '../storage/schema';
import type { Logger } from '../logging/logger';
import { InvalidInput, NotAllowed } from '../errors/domain-errors';

export class ReviewNotAllowed extends NotAllowed {
  constructor(message: string) {
    super(message, 'forbidden');
  }
}
export class InvalidReview extends InvalidInput {
  constructor(message: string) {
    super(message, 'invalid-request');
  }
}

export interface ReviewStatus {
  policyId: string;
  title: string;
  version: number | null;
  publishedAt: string | null;
  /** YYYY-MM-DD, or null for a policy never published (nothing to review yet). */
  reviewBy: string | null;
  /** Where the date came from, so a governor can see why it is what it is. */
  reviewBySource: 'config' | 'last review + 1 year' | 'publication + 1 year' | 'not published';
  status: 'overdue' | 'due' | 'upcoming' | 'not published';
  lastReview: { reviewedAt: string; changed: boolean; governorsApprovedOn: string | null } | null;
}

export interface ReviewRecord {
  id: string;
  policyId: string;
  reviewedAt: string;
  changed: boolean;
  governorsApprovedOn: string | null;
  notes: string;
  version: number | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const reviewInput = z
  .object({
    changed: z.boolean(),
    governorsApprovedOn: z.string().regex(DATE, 'governorsApprovedOn must be a date such as 2026-11-20').nullable().default(null),
    notes: z.string().trim().max(4000).default(''),
    /** The new text when it changed; the policy's file as it is now if not given. */
    text: z.string().trim().min(20, 'the policy text is too short').max(200_000).optional(),
  })
  .strict();

const addYear = (isoDate: string) => {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
};
const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Who records a review: the head answers for the policy to governors; admins keep the library. */
const mayRecord = (p: Person) => p.roles.some((r) => r === 'headteacher' || r === 'admin');

/** Republishes through the existing publish path, so re-acceptance follows the policy's own rules. */
export type Republish = (policyId: string, text: string | undefined, by: Person) => Promise<{ version: number; created: boolean }>;

/**
 * The annual review of each policy (policies 001 and 003: "reviewed annually or sooner", approved by
 * governors). The next review is due a year after the last one; before the first, on the config's
 * `reviewBy`, or a year after the policy was first published. The owner is reminded in Teams once,
 * `remindDaysAhead` days before.
 */
export class PolicyReviews {
  private readonly db: Kysely<Database>;
  private readonly config: SchoolConfig;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly logger: Logger;
  private readonly options: { remindDaysAhead: number; link: () => string };
  private readonly now: () => Date;

  constructor(deps: {
    db: Kysely<Database>;
    config: SchoolConfig;
    directory: SchoolDirectory;
    notifier: Notifier;
    logger: Logger;
    options?: { remindDaysAhead: number; link: () => string };
    clock?: () => Date;
  }) {
    this.db = deps.db;
    this.config = deps.config;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.logger = deps.logger;
    this.options = deps.options ?? { remindDaysAhead: 30, link: () => '' };
    this.now = deps.clock ?? (() => new Date());
  }

  async schedule(): Promise<ReviewStatus[]> {
    const today = this.now().toISOString().slice(0, 10);
    const out: ReviewStatus[] = [];
    for (const p of this.config.policies) {
      const first = await this.db
        .selectFrom('policy_version')
        .select(['published_at'])
        .where('policy_id', '=', p.id)
        .orderBy('version', 'asc')
        .limit(1)
        .executeTakeFirst();
      const latest = await this.db
        .selectFrom('policy_version')
        .select(['version', 'published_at'])
        .where('policy_id', '=', p.id)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      const last = await this.db
        .selectFrom('policy_review')
        .selectAll()
        .where('policy_id', '=', p.id)
        .orderBy('reviewed_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      let reviewBy: string | null = null;
      let reviewBySource: ReviewStatus['reviewBySource'] = 'not published';
      if (last) [reviewBy, reviewBySource] = [addYear(last.reviewed_at), 'last review + 1 year'];
      else if (p.reviewBy) [reviewBy, reviewBySource] = [p.reviewBy, 'config'];
      else if (first) [reviewBy, reviewBySource] = [addYear(first.published_at), 'publication + 1 year'];
      const status: ReviewStatus['status'] = !reviewBy
        ? 'not published'
        : reviewBy < today
          ? 'overdue'
          : addDays(reviewBy, -this.options.remindDaysAhead) <= today
            ? 'due'
            : 'upcoming';
      out.push({
        policyId: p.id,
        title: p.title,
        version: latest?.version ?? null,
        publishedAt: latest?.published_at ?? null,
        reviewBy,
        reviewBySource,
        status,
        lastReview: last ? { reviewedAt: last.reviewed_at, changed: last.changed === 1, governorsApprovedOn: last.governors_approved_on } : null,
      });
    }
    return out;
  }

  /**
   * Reminds each owner whose policy is due (or overdue) for review, once per review date. The row
   * goes in first: its primary key (policy, review date) lets only one instance, once, send.
   */
  async remindOwners(): Promise<number> {
    let sent = 0;
    for (const s of await this.schedule()) {
      if (!s.reviewBy || (s.status !== 'due' && s.status !== 'overdue')) continue;
      const policy = this.config.policies.find((p) => p.id === s.policyId)!;
      const ownerId = await this.directory.userIdOf(policy.owner ?? this.config.safeguarding.headteacher);
      if (!ownerId) {
        this.logger.warn({ policyId: s.policyId }, 'policy review due but its owner is not in the directory');
        continue;
      }
      try {
        await this.db
          .insertInto('policy_review_reminder')
          .values({ policy_id: s.policyId, review_by: s.reviewBy, owner_id: ownerId, sent_at: this.now().toISOString(), delivery: 'sending' })
          .execute();
      } catch {
        continue; // already reminded for this review date
      }
      const card = policyReviewDueCard({
        title: s.title,
        reviewBy: s.reviewBy,
        version: s.version,
        publishedOn: s.publishedAt?.slice(0, 10) ?? null,
        link: this.options.link(),
      });
      let delivery = 'failed';
      try {
        delivery = await this.notifier.sendToPerson(ownerId, card, `Policy review due: ${s.title}`);
        sent += delivery === 'sent' ? 1 : 0;
      } catch (e) {
        this.logger.warn({ err: e, policyId: s.policyId }, 'policy review reminder could not be sent');
      }
      await this.db.updateTable('policy_review_reminder').set({ delivery }).where('policy_id', '=', s.policyId).where('review_by', '=', s.reviewBy).execute();
    }
    return sent;
  }

  /** The review as done: by whom, when, changed or not, approved by governors on what date. */
  async record(policyId: string, input: unknown, reviewer: Person, republish: Republish): Promise<ReviewRecord> {
    if (!mayRecord(reviewer)) throw new ReviewNotAllowed('recording a policy review is for the headteacher and the school\u2019s admins');
    if (!this.config.policies.some((p) => p.id === policyId)) throw new InvalidReview(`no policy "${policyId}" in the school configuration`);
    const parsed = reviewInput.safeParse(input ?? {});
    if (!parsed.success) throw new InvalidReview(describeZodError(parsed.error));
    const { changed, governorsApprovedOn, notes, text } = parsed.data;
    let version: number | null =
      (await this.db.selectFrom('policy_version').select('version').where('policy_id', '=', policyId).orderBy('version', 'desc').limit(1).executeTakeFirst())
        ?.version ?? null;
    if (changed) {
      const published = await republish(policyId, text, reviewer);
      if (!published.created)
        throw new InvalidReview('the text is the same as the published version: edit the policy first, or record the review as not changed');
      version = published.version;
    }
    const row = {
      id: randomUUID(),
      policy_id: policyId,
      reviewed_at: this.now().toISOString(),
      reviewed_by: reviewer.id,
      changed: changed ? 1 : 0,
      governors_approved_on: governorsApprovedOn,
      notes,
      version,
    };
    await this.db.insertInto('policy_review').values(row).execute();
    return toRecord(row);
  }

  /** Reviews recorded in [from, to). No reviewer names: the report is for the whole governing body. */
  async done(from: string, to: string): Promise<ReviewRecord[]> {
    const rows = await this.db
      .selectFrom('policy_review')
      .selectAll()
      .where('reviewed_at', '>=', from)
      .where('reviewed_at', '<', to)
      .orderBy('reviewed_at')
      .execute();
    return rows.map(toRecord);
  }
}

function toRecord(r: Database['policy_review'] extends infer T ? { [K in keyof T]: T[K] } : never): ReviewRecord {
  return {
    id: r.id,
    policyId: r.policy_id,
    reviewedAt: r.reviewed_at,
    changed: r.changed === 1,
    governorsApprovedOn: r.governors_approved_on,
    notes: r.notes,
    version: r.version,
  };
}
