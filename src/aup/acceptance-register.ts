import { randomUUID } from 'node:crypto';
import { PostgresAdapter, type Insertable, type Kysely, type QueryCreator, type Selectable } from 'kysely';
import type { Person } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import type { AcceptanceTable, AuditLogTable, Database } from '../storage/schema';
import type { PolicyVersion } from './policy-library';
import { acceptanceCycle, validAcceptance, type Reacceptance } from './reacceptance';

export type Acceptance = Selectable<AcceptanceTable>;

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

  async record(
    version: PolicyVersion,
    person: Pick<Person, 'id' | 'userPrincipalName'>,
    rule: Reacceptance,
    channel: Acceptance['channel'],
  ): Promise<{ acceptance: Acceptance; created: boolean }> {
    const now = this.now();
    const history = await this.history(person.id, version.policy_id);
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
  private async written(row: Acceptance, logged: Omit<Insertable<AuditLogTable>, 'id'>): Promise<boolean> {
    const acceptance = (db: QueryCreator<Database>) =>
      db
        .insertInto('acceptance')
        .values(row)
        .onConflict((oc) => oc.column('acceptance_key').doNothing());
    if (this.db.getExecutor().adapter instanceof PostgresAdapter) {
      // PostgreSQL: one statement is one transaction, and one round trip instead of four.
      const inserted = await this.db
        .with('accepted', (db) => acceptance(db).returning('id'))
        .insertInto('audit_log')
        .columns(['at', 'actor_id', 'action', 'subject_type', 'subject_id', 'detail', 'correlation_id'])
        .expression((eb) =>
          eb
            .selectFrom('accepted')
            .select([
              eb.val(logged.at).as('at'),
              eb.val(logged.actor_id).as('actor_id'),
              eb.val(logged.action).as('action'),
              eb.val(logged.subject_type).as('subject_type'),
              eb.val(logged.subject_id).as('subject_id'),
              eb.val(logged.detail).as('detail'),
              eb.val(logged.correlation_id).as('correlation_id'),
            ]),
        )
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    return this.db.transaction().execute(async (tx) => {
      const inserted = await acceptance(tx).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await tx.insertInto('audit_log').values(logged).execute();
      return true;
    });
  }

  /** A person's acceptances of one policy (or all), oldest first. */
  async history(personId: string, policyId?: string): Promise<Acceptance[]> {
    let q = this.db.selectFrom('acceptance').selectAll().where('person_id', '=', personId).orderBy('accepted_at');
    if (policyId) q = q.where('policy_id', '=', policyId);
    return q.execute();
  }

  async forPolicy(policyId: string): Promise<Acceptance[]> {
    return this.db.selectFrom('acceptance').selectAll().where('policy_id', '=', policyId).orderBy('accepted_at').execute();
  }
}
