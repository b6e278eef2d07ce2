import { randomUUID } from 'node:crypto';
import { PostgresAdapter, type Insertable, type Kysely, type QueryCreator, type Selectable } from 'kysely';
import type { Person } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import { PrecompiledQuery } from '../storage/precompiled-query';
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
/** PostgreSQL: the acceptance and, only when it was new, its audit entry, in one statement. */
const acceptedAndLogged = new PrecompiledQuery((db, v: Acceptance & LoggedRow) =>
  db
    .with('accepted', (db) => acceptanceRow(db, v).returning('id'))
    .insertInto('audit_log')
    .columns(['at', 'actor_id', 'action', 'subject_type', 'subject_id', 'detail', 'correlation_id'])
    .expression((eb) =>
      eb
        .selectFrom('accepted')
        .select([
          eb.val(v.at).as('at'),
          eb.val(v.actor_id).as('actor_id'),
          eb.val(v.action).as('action'),
          eb.val(v.subject_type).as('subject_type'),
          eb.val(v.subject_id).as('subject_id'),
          eb.val(v.detail).as('detail'),
          eb.val(v.correlation_id).as('correlation_id'),
        ]),
    ),
);

/**
 * Who signed which version ("we have a system so we know who has signed", policy 001): one
 * append-only row per acceptance, with the text's digest, written once however often the button is
 * pressed, and logged in the audit log in the same transaction.
 */
export class AcceptanceRegister {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

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
    if (await this.written(row, logged)) return { acceptance: row, created: true };
    const winner = await this.db.selectFrom('acceptance').selectAll().where('acceptance_key', '=', key).executeTakeFirstOrThrow();
    return { acceptance: winner, created: false };
  }

  /** Whether this acceptance was written (false: one with its key already was). */
  private async written(row: Acceptance, entry: Omit<Insertable<AuditLogTable>, 'id'>): Promise<boolean> {
    const logged: LoggedRow = {
      ...entry,
      actor_id: entry.actor_id ?? null,
      subject_id: entry.subject_id ?? null,
      correlation_id: entry.correlation_id ?? null,
    };
    if (this.db.getExecutor().adapter instanceof PostgresAdapter) {
      // PostgreSQL: one statement is one transaction, and one round trip instead of four.
      const inserted = await acceptedAndLogged.execute(this.db, { ...row, ...logged });
      return Number(inserted.numAffectedRows ?? 0) > 0;
    }
    return this.db.transaction().execute(async (tx) => {
      const inserted = await insertAcceptance.execute(tx, row);
      if (Number(inserted.numAffectedRows ?? 0) === 0) return false;
      await insertAuditEntry.execute(tx, logged);
      return true;
    });
  }

  private async historyAndNewest(personId: string, policyId: string): Promise<{ history: Acceptance[]; newest: number | undefined }> {
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
