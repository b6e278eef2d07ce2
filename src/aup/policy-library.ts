import { readFileSync } from 'node:fs';
import type { Kysely, Selectable } from 'kysely';
import type { PolicyDocumentConfig, SchoolConfig } from '../config/school-config';
import type { Database, PolicyVersionTable } from '../storage/schema';
import { clausesOf, textHash } from './policy-text';
import { InvalidInput } from '../errors/domain-errors';

export type PolicyVersion = Omit<Selectable<PolicyVersionTable>, 'clauses' | 'audience'> & { clauses: string[]; audience: string[] };

export class UnknownPolicy extends InvalidInput {
  constructor(message: string) {
    super(message, 'invalid-request');
  }
}

const toVersion = (r: Selectable<PolicyVersionTable>): PolicyVersion => ({
  ...r,
  clauses: JSON.parse(r.clauses) as string[],
  audience: JSON.parse(r.audience) as string[],
});

/**
 * The school's policies (from the config) and their published versions. A published version never
 * changes (the table refuses updates); a change is a new version.
 */
export class PolicyLibrary {
  /** Published versions by id: a published version never changes, so one read serves every click. */
  private readonly published = new Map<string, PolicyVersion>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: SchoolConfig,
    /** Resolves a policy's `file` (relative to the config file). */
    private readonly readPolicyFile: (file: string) => string = (file) => readFileSync(file, 'utf8'),
    private readonly now: () => Date = () => new Date(),
  ) {}

  policy(policyId: string): PolicyDocumentConfig {
    const p = this.config.policies.find((x) => x.id === policyId);
    if (!p) throw new UnknownPolicy(`no policy "${policyId}" in the school configuration`);
    return p;
  }

  /** The text as the school's file has it now: what "publish" offers by default. */
  draftText(policyId: string): string {
    return this.readPolicyFile(this.policy(policyId).file);
  }

  /**
   * Publishes a new version (the next number). Publishing the same text as the latest version is
   * not a new version: it returns the latest, so a double click publishes once.
   */
  async publish(policyId: string, text: string, publishedBy: string): Promise<{ version: PolicyVersion; created: boolean }> {
    const policy = this.policy(policyId);
    const hash = textHash(text);
    for (let attempt = 0; attempt < 3; attempt++) {
      const latest = await this.latest(policyId);
      if (latest?.text_hash === hash) return { version: latest, created: false };
      const version = (latest?.version ?? 0) + 1;
      const row = {
        id: `${policyId}@${version}`,
        policy_id: policyId,
        version,
        title: policy.title,
        text,
        text_hash: hash,
        clauses: JSON.stringify(clausesOf(text)),
        audience: JSON.stringify(policy.audience),
        published_at: this.now().toISOString(),
        published_by: publishedBy,
      };
      try {
        await this.db.insertInto('policy_version').values(row).execute();
        return { version: this.keep(toVersion(row)), created: true };
      } catch (e) {
        // Another admin (or instance) published at the same moment: look again.
        if (attempt === 2) throw e;
      }
    }
    throw new Error('unreachable');
  }

  async latest(policyId: string): Promise<PolicyVersion | undefined> {
    const r = await this.db.selectFrom('policy_version').selectAll().where('policy_id', '=', policyId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return r && this.keep(toVersion(r));
  }

  async get(versionId: string): Promise<PolicyVersion | undefined> {
    const kept = this.published.get(versionId);
    if (kept) return kept;
    const r = await this.db.selectFrom('policy_version').selectAll().where('id', '=', versionId).executeTakeFirst();
    return r && this.keep(toVersion(r));
  }

  private keep(version: PolicyVersion): PolicyVersion {
    this.published.set(version.id, version);
    return version;
  }

  async versions(policyId: string): Promise<PolicyVersion[]> {
    return (await this.db.selectFrom('policy_version').selectAll().where('policy_id', '=', policyId).orderBy('version').execute()).map(toVersion);
  }
}
