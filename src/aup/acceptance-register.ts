import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Person } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import type { AcceptanceTable, Database } from '../storage/schema';
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
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('acceptance').values(row).execute();
        await new AuditLog(this.db, this.now).append(
          {
            actorId: person.id,
            action: 'policy.accepted',
            subjectType: 'policy-version',
            subjectId: version.id,
            detail: { textHash: version.text_hash, channel },
          },
          tx,
        );
      });
      return { acceptance: row, created: true };
    } catch (e) {
      // The same acceptance arrived twice at once (double click, two instances): one row won.
      const winner = await this.db.selectFrom('acceptance').selectAll().where('acceptance_key', '=', key).executeTakeFirst();
      if (winner) return { acceptance: winner, created: false };
      throw e;
    }
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
