import { randomUUID } from 'node:crypto';
import { PostgresAdapter, sql, type Insertable, type Kysely, type QueryCreator, type Selectable } from 'kysely';
import type { Person } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import { PrecompiledQuery } from '../storage/precompiled-query';
import { batchedStatement } from '../storage/statement-batches';
import type { AcceptanceTable, AuditLogTable, Database } from '../storage/schema';
import type { PolicyVersion } from './policy-library';
import { acceptanceCycle, validAcceptance, type Reacceptance } from './reacceptance';

export type Acceptance = Selectable<AcceptanceTable>;

type LoggedRow = Omit<Insertable<AuditLogTable>, 'id'> & { subject_id: string | null; actor_id: string | null; correlation_id: string | null };

// The click's statements, compiled once (src/storage/precompiled-query.ts): at the start of term a
// thousand people accept within minutes, and building the same queries each time cost more than running them.
const historyOfPolicy = new PrecompiledQuery((db, v: { personId: string; policyId: string }) =>
  db.selectFrom('acceptance').selectAll().where('person_id', '=', v.personId).where('policy_id', '=', v.policyId).orderBy('accepted_at'),
);
/** The same, with the policy's newest version number on every row (one row of nulls when there is no acceptance). */
const historyAndNewestOf = new PrecompiledQuery((db, v: { personId: string; policyId: string }) =>
  db
    .selectFrom((eb) =>
      eb
        .selectFrom('policy_version')
        .select((eb) => eb.fn.max('version').as('newest'))
        .where('policy_id', '=', v.policyId)
        .as('n'),
    )
    .leftJoin('acceptance', (join) => join.on('acceptance.person_id', '=', v.personId).on('acceptance.policy_id', '=', v.policyId))
    .selectAll('acceptance')
    .select('n.newest')
    .orderBy('acceptance.accepted_at'),
);
const acceptanceRow = (db: QueryCreator<Database>, a: Acceptance) =>
  db
    .insertInto('acceptance')
    .values({
      id: a.id,
      acceptance_key: a.acceptance_key,
      policy_id: a.policy_id,
      version: a.version,
      person_id: a.person_id,
      upn: a.upn,
      text_hash: a.text_hash,
      accepted_at: a.accepted_at,
      channel: a.channel,
    })
    .onConflict((oc) => oc.column('acceptance_key').doNothing());
const insertAcceptance = new PrecompiledQuery((db, a: Acceptance) => acceptanceRow(db, a));
const insertAuditEntry = new PrecompiledQuery((db, l: LoggedRow) =>
  db.insertInto('audit_log').values({
    at: l.at,
    actor_id: l.actor_id,
    action: l.action,
    subject_type: l.subject_type,
    subject_id: l.subject_id,
    detail: l.detail,
    correlation_id: l.correlation_id,
  }),
);
type Click = Acceptance & LoggedRow;
type HistoryAndNewest = { history: Acceptance[]; newest: number | undefined };

/**
 * PostgreSQL: what each of many clicks accepted before, and its policy's newest version, in one
 * statement (statement-batches.ts): a click arriving with others shares their round trip.
 */
async function historiesAndNewest(db: Kysely<Database>, asks: readonly { personId: string; policyId: string }[]): Promise<HistoryAndNewest[]> {
  const { rows } = await sql<Acceptance & { ask: number; newest: number | null }>`
    SELECT q.ask::int AS ask, n.newest, a.*
    FROM unnest(${asks.map((a) => a.personId)}::text[], ${asks.map((a) => a.policyId)}::text[]) WITH ORDINALITY AS q(person_id, policy_id, ask)
    CROSS JOIN LATERAL (SELECT max(v.version) AS newest FROM policy_version v WHERE v.policy_id = q.policy_id) n
    LEFT JOIN acceptance a ON a.person_id = q.person_id AND a.policy_id = q.policy_id
    ORDER BY q.ask, a.accepted_at`.execute(db);
  const answers: HistoryAndNewest[] = asks.map(() => ({ history: [], newest: undefined }));
  for (const { ask, newest, ...a } of rows) {
    const answer = answers[ask - 1]!;
    answer.newest = newest == null ? undefined : Number(newest);
    if (a.id !== null) answer.history.push(a);
  }
  return answers;
}

/**
 * PostgreSQL: many clicks' acceptances and, for each that was new, its audit entry, in one
 * statement, which is one transaction: all of them or none. The first click of an acceptance key
 * wins (a double click arriving with itself). Says, for each, whether it was written. Rows go in
 * in key order: two instances writing overlapping clicks then wait for each other in one order, never
 * in a circle (a deadlock PostgreSQL breaks only after a second).
 */
async function acceptedAndLogged(db: Kysely<Database>, clicks: readonly Click[]): Promise<boolean[]> {
  const column = <K extends keyof Click>(k: K) => clicks.map((c) => c[k]);
  const { rows } = await sql<{ id: string }>`
    WITH click AS (
      SELECT * FROM unnest(
        ${column('id')}::text[], ${column('acceptance_key')}::text[], ${column('policy_id')}::text[], ${column('version')}::int[],
        ${column('person_id')}::text[], ${column('upn')}::text[], ${column('text_hash')}::text[], ${column('accepted_at')}::text[],
        ${column('channel')}::text[], ${column('at')}::text[], ${column('actor_id')}::text[], ${column('action')}::text[],
        ${column('subject_type')}::text[], ${column('subject_id')}::text[], ${column('detail')}::text[], ${column('correlation_id')}::text[]
      ) WITH ORDINALITY AS c(id, acceptance_key, policy_id, version, person_id, upn, text_hash, accepted_at, channel,
                             at, actor_id, action, subject_type, subject_id, detail, correlation_id, n)
    ), accepted AS (
      INSERT INTO acceptance (id, acceptance_key, policy_id, version, person_id, upn, text_hash, accepted_at, channel)
      SELECT id, acceptance_key, policy_id, version, person_id, upn, text_hash, accepted_at, channel FROM click ORDER BY acceptance_key, n
      ON CONFLICT (acceptance_key) DO NOTHING
      RETURNING id
    ), logged AS (
      INSERT INTO audit_log (at, actor_id, action, subject_type, subject_id, detail, correlation_id)
      SELECT c.at, c.actor_id, c.action, c.subject_type, c.subject_id, c.detail, c.correlation_id FROM click c JOIN accepted USING (id) ORDER BY c.n
    )
    SELECT id FROM accepted`.execute(db);
  const written = new Set(rows.map((r) => r.id));
  return clicks.map((c) => written.has(c.id));
}

/** SQLite: the same, as one transaction of a statement or two a click (in the app's process, statements cost little; commits do). */
async function acceptedAndLoggedInOneTransaction(db: Kysely<Database>, clicks: readonly Click[]): Promise<boolean[]> {
  return db.transaction().execute(async (tx) => {
    const written: boolean[] = [];
    for (const click of clicks) {
      const inserted = await insertAcceptance.execute(tx, click);
      written.push(Number(inserted.numAffectedRows ?? 0) > 0);
      if (written.at(-1)) await insertAuditEntry.execute(tx, click);
    }
    return written;
  });
}

/**
 * Who signed which version ("we have a system so we know who has signed", policy 001): one
 * append-only row per acceptance, with the text's digest, written once however often the button is
 * pressed, and logged in the audit log in the same transaction.
 */
export class AcceptanceRegister {
  /** PostgreSQL: clicks handled together share their statements (statement-batches.ts). */
  private readonly sharedReads?: (ask: { personId: string; policyId: string }) => Promise<HistoryAndNewest>;
  /**
   * Clicks handled together are written together: on PostgreSQL in one statement; on SQLite in one
   * transaction, so one flush to disk (its commit waits for the disk) serves them all.
   */
  private readonly written: (click: Click) => Promise<boolean>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      this.sharedReads = batchedStatement((asks) => historiesAndNewest(db, asks));
      this.written = batchedStatement((clicks) => acceptedAndLogged(db, clicks));
    } else this.written = batchedStatement((clicks) => acceptedAndLoggedInOneTransaction(db, clicks));
  }

  /**
   * Records that `person` accepts `version`, unless a newer version of the policy has been published
   * since (the card was old): then nothing is written and the newer number is returned. Whether it
   * was replaced and what the person accepted before are one read, asked on every click.
   */
  async record(
    version: PolicyVersion,
    person: Pick<Person, 'id' | 'userPrincipalName'>,
    rule: Reacceptance,
    channel: Acceptance['channel'],
  ): Promise<{ acceptance: Acceptance; created: boolean } | { replacedBy: number }> {
    const now = this.now();
    const { history, newest } = await this.historyAndNewest(person.id, version.policy_id);
    if (newest !== undefined && newest !== version.version) return { replacedBy: newest };
    const current = validAcceptance(
      history.map((a) => ({ ...a, acceptedAt: a.accepted_at })),
      version.version,
      rule,
      now,
    );
    if (current) return { acceptance: current, created: false };
    const previous = history.filter((a) => a.version === version.version).at(-1);
    const key = [
      version.policy_id,
      version.version,
      person.id,
      acceptanceCycle(rule, now, previous && { version: previous.version, acceptedAt: previous.accepted_at }),
    ].join('|');
    const row: Acceptance = {
      id: randomUUID(),
      acceptance_key: key,
      policy_id: version.policy_id,
      version: version.version,
      person_id: person.id,
      upn: person.userPrincipalName,
      text_hash: version.text_hash,
      accepted_at: now.toISOString(),
      channel,
    };
    const logged = new AuditLog(this.db, this.now).rowOf({
      actorId: person.id,
      action: 'policy.accepted',
      subjectType: 'policy-version',
      subjectId: version.id,
      detail: { textHash: version.text_hash, channel },
    });
    // One transaction: the acceptance and its audit entry, or, when the same acceptance is already
    // there (double click, two instances, a retry after a crash), neither. A unique key decides.
    const click: Click = {
      ...row,
      ...logged,
      actor_id: logged.actor_id ?? null,
      subject_id: logged.subject_id ?? null,
      correlation_id: logged.correlation_id ?? null,
    };
    if (await this.written(click)) return { acceptance: row, created: true };
    const winner = await this.db.selectFrom('acceptance').selectAll().where('acceptance_key', '=', key).executeTakeFirstOrThrow();
    return { acceptance: winner, created: false };
  }

  private async historyAndNewest(personId: string, policyId: string): Promise<HistoryAndNewest> {
    if (this.sharedReads) return this.sharedReads({ personId, policyId });
    const { rows } = await historyAndNewestOf.execute(this.db, { personId, policyId });
    const newest = rows[0]?.newest;
    const history = rows.flatMap(({ newest: _newest, ...a }) => (a.id === null ? [] : [a as Acceptance]));
    return { history, newest: newest == null ? undefined : Number(newest) };
  }

  /** A person's acceptances of one policy (or all), oldest first. */
  async history(personId: string, policyId?: string): Promise<Acceptance[]> {
    if (policyId) return (await historyOfPolicy.execute(this.db, { personId, policyId })).rows;
    return this.db.selectFrom('acceptance').selectAll().where('person_id', '=', personId).orderBy('accepted_at').execute();
  }

  async forPolicy(policyId: string): Promise<Acceptance[]> {
    return this.db.selectFrom('acceptance').selectAll().where('policy_id', '=', policyId).orderBy('accepted_at').execute();
  }
}
