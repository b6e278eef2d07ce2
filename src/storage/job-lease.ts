import type { Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * Leases make a scheduled job run on one instance at a time. Taking one is a single statement
 * (insert, or take over only if expired), so two instances racing cannot both win.
 */
export class JobLeases {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly holder: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async acquire(name: string, forMs: number): Promise<boolean> {
    const now = this.now();
    const expires = new Date(now.getTime() + forMs).toISOString();
    const result = await this.db
      .insertInto('job_lease')
      .values({ name, holder: this.holder, expires_at: expires })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder: this.holder, expires_at: expires })
          .where((eb) => eb.or([eb('job_lease.expires_at', '<=', now.toISOString()), eb('job_lease.holder', '=', this.holder)])),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async release(name: string): Promise<void> {
    await this.db.deleteFrom('job_lease').where('name', '=', name).where('holder', '=', this.holder).execute();
  }
}
