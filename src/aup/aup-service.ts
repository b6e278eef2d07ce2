import type { Kysely } from 'kysely';
import { z } from 'zod';
import { describeZodError } from '../config/load-school-config';
import type { Audience, SchoolConfig } from '../config/school-config';
import { aupCard, policyQuestionCard } from './cards/aup-card';
import type { AdaptiveCardJson } from '../cards/render-card';
import type { Notifier } from '../notify/notifier';
import type { Person, SchoolDirectory } from '../school/school-directory';
import type { Database } from '../storage/schema';
import type { Acceptance, AcceptanceRegister } from './acceptance-register';
import type { AupCampaigns, Links } from './aup-campaigns';
import type { PolicyLibrary, PolicyVersion } from './policy-library';
import { isInAudience, membersOf } from './audience';
import { csvTable } from '../report/csv';
import { textHash } from './policy-text';
import { validAcceptance } from './reacceptance';
import { InvalidInput, NotAllowed as DomainNotAllowed } from '../errors/domain-errors';

export class NotAllowed extends DomainNotAllowed {
  constructor(message: string) {
    super(message, 'forbidden');
  }
}
export class InvalidRequest extends InvalidInput {
  constructor(message: string) {
    super(message, 'invalid-request');
  }
}

export type AcceptanceStatus = 'accepted' | 'pending' | 'overdue' | 'unreachable';

export interface CoverageRow {
  personId: string;
  name: string;
  upn: string;
  audience: string;
  status: AcceptanceStatus;
  acceptedVersion: number | null;
  acceptedAt: string | null;
}

export interface Coverage {
  policyId: string;
  title: string;
  version: number | null;
  publishedAt: string | null;
  deadline: string | null;
  counts: Record<string, Record<AcceptanceStatus, number>>;
  /** Acceptances of the current version per day, cumulative: the chart. */
  overTime: Array<{ day: string; accepted: number }>;
  people: CoverageRow[];
}

const publishSchema = z.object({ text: z.string().trim().min(20, 'the policy text is too short').max(200_000).optional() }).strict();
const questionSchema = z.object({ versionId: z.string().min(1), question: z.string().trim().min(3, 'write your question first').max(2000) }).passthrough();

const mayManage = (p: Person) => p.roles.some((r) => r === 'admin' || r === 'headteacher');

/**
 * Acceptable use in the school's words: publish a version, everyone in its audience is asked, each
 * acceptance is recorded once, and the school can always say who has signed which version.
 */
export class AupService {
  private readonly db: Kysely<Database>;
  private readonly config: SchoolConfig;
  private readonly library: PolicyLibrary;
  private readonly register: AcceptanceRegister;
  private readonly campaigns: AupCampaigns;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly links: Links;
  private readonly now: () => Date;
  private readonly cards = new Map<string, AdaptiveCardJson>();

  constructor(deps: {
    db: Kysely<Database>;
    config: SchoolConfig;
    library: PolicyLibrary;
    register: AcceptanceRegister;
    campaigns: AupCampaigns;
    directory: SchoolDirectory;
    notifier: Notifier;
    links: Links;
    clock?: () => Date;
  }) {
    this.db = deps.db;
    this.config = deps.config;
    this.library = deps.library;
    this.register = deps.register;
    this.campaigns = deps.campaigns;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.links = deps.links;
    this.now = deps.clock ?? (() => new Date());
  }

  /** An admin publishes the policy's current text (or the text given) as a new version and asks everyone. */
  async publish(policyId: string, input: unknown, admin: Person): Promise<{ version: PolicyVersion; created: boolean; queued: number }> {
    if (!mayManage(admin)) throw new NotAllowed("publishing a policy is for the school's admins and the headteacher");
    const parsed = publishSchema.safeParse(input ?? {});
    if (!parsed.success) throw new InvalidRequest(describeZodError(parsed.error));
    this.policy(policyId);
    const { version, created } = await this.library.publish(policyId, parsed.data.text ?? this.library.draftText(policyId), admin.id);
    const { queued } = await this.campaigns.start(version, admin.id);
    return { version, created, queued };
  }

  /** "I accept": recorded once, durably; the card answers with its accepted state. */
  async accept(
    versionId: string,
    person: Person,
    channel: Acceptance['channel'],
  ): Promise<{ card: AdaptiveCardJson; created: boolean; acceptance: Acceptance }> {
    const version = await this.library.get(versionId);
    if (!version) throw new InvalidRequest('that policy version does not exist');
    if (!(await isInAudience(this.directory, version.audience as Audience[], person.id))) throw new NotAllowed('this policy is not addressed to you');
    const rule = this.policy(version.policy_id).reacceptance;
    const recorded = await this.register.record(version, person, rule, channel);
    if ('replacedBy' in recorded)
      throw new InvalidRequest(`version ${version.version} has been replaced by version ${recorded.replacedBy}: please accept the new version`);
    const { acceptance, created } = recorded;
    return { card: this.cardFor(version, acceptance), created, acceptance };
  }

  /** "I have a question": it goes to the policy's owner, with who asked. */
  async question(input: unknown, person: Person): Promise<void> {
    const parsed = questionSchema.safeParse(input);
    if (!parsed.success) throw new InvalidRequest(describeZodError(parsed.error));
    const version = await this.library.get(parsed.data.versionId);
    if (!version) throw new InvalidRequest('that policy version does not exist');
    const ownerRef = this.policy(version.policy_id).owner ?? this.config.safeguarding.headteacher;
    const owner = await this.directory.userIdOf(ownerRef);
    if (!owner) throw new InvalidRequest('the policy owner could not be found; please ask the school office');
    const card = policyQuestionCard({
      title: version.title,
      version: version.version,
      from: `${person.displayName} (${person.userPrincipalName})`,
      question: parsed.data.question,
    });
    await this.notifier.sendToPerson(owner, card, `Question about ${version.title}`);
  }

  /**
   * The card as this person should see it now: accepted, or asking. It depends only on the version
   * and the day accepted, so it is rendered once for each (templating cost more than the rest of a
   * click): a thousand people accepting on one day share one card.
   */
  cardFor(version: PolicyVersion, acceptance?: Pick<Acceptance, 'accepted_at'>): AdaptiveCardJson {
    const acceptedOn = acceptance?.accepted_at.slice(0, 10);
    const key = `${version.id}|${acceptedOn ?? ''}`;
    let card = this.cards.get(key);
    if (!card) {
      card = aupCard({
        versionId: version.id,
        title: version.title,
        version: version.version,
        clauses: version.clauses,
        textUrl: this.links.policyText(version.id),
        ...(acceptedOn ? { acceptedOn } : {}),
      });
      if (this.cards.size >= 100) this.cards.delete(this.cards.keys().next().value!);
      this.cards.set(key, card);
    }
    return card;
  }

  /** Who has signed the current version: counts by audience, the trend, and everyone's status. */
  async coverage(policyId: string, viewer: Person): Promise<Coverage> {
    if (!mayManage(viewer)) throw new NotAllowed("coverage is for the school's admins and the headteacher");
    const policy = this.policy(policyId);
    const version = await this.library.latest(policyId);
    const empty = { policyId, title: policy.title, version: null, publishedAt: null, deadline: null, counts: {}, overTime: [], people: [] };
    if (!version) return empty;
    const campaign = await this.db.selectFrom('campaign').selectAll().where('policy_version_id', '=', version.id).executeTakeFirst();
    const deliveries = campaign
      ? await this.db.selectFrom('campaign_delivery').select(['person_id', 'kind', 'status', 'not_before']).where('campaign_id', '=', campaign.id).execute()
      : [];
    const acceptances = await this.register.forPolicy(policyId);
    const byPerson = new Map<string, Acceptance[]>();
    for (const a of acceptances) byPerson.set(a.person_id, [...(byPerson.get(a.person_id) ?? []), a]);
    const deliveriesOf = new Map<string, typeof deliveries>();
    for (const d of deliveries) deliveriesOf.set(d.person_id, [...(deliveriesOf.get(d.person_id) ?? []), d]);
    const names = await this.directory.names();
    const now = this.now();

    const people: CoverageRow[] = [];
    for (const audience of version.audience as Audience[]) {
      for (const id of (await membersOf(this.directory, audience)) ?? []) {
        const valid = validAcceptance(
          (byPerson.get(id) ?? []).map((a) => ({ ...a, acceptedAt: a.accepted_at })),
          version.version,
          policy.reacceptance,
          now,
        );
        const mine = deliveriesOf.get(id) ?? [];
        const overdueAt = mine.find((d) => d.kind === 'overdue')?.not_before ?? campaign?.deadline;
        const status: AcceptanceStatus = valid
          ? 'accepted'
          : mine.some((d) => d.kind === 'card' && d.status === 'no-conversation')
            ? 'unreachable'
            : overdueAt && overdueAt <= now.toISOString()
              ? 'overdue'
              : 'pending';
        const n = names.get(id);
        people.push({
          personId: id,
          name: n?.displayName ?? id,
          upn: n?.userPrincipalName ?? '',
          audience,
          status,
          acceptedVersion: valid?.version ?? null,
          acceptedAt: valid?.accepted_at ?? null,
        });
      }
    }
    const counts: Coverage['counts'] = {};
    for (const p of people) {
      counts[p.audience] ??= { accepted: 0, pending: 0, overdue: 0, unreachable: 0 };
      counts[p.audience]![p.status] += 1;
    }
    const perDay = new Map<string, number>();
    for (const a of acceptances) if (a.version === version.version) perDay.set(a.accepted_at.slice(0, 10), (perDay.get(a.accepted_at.slice(0, 10)) ?? 0) + 1);
    let running = 0;
    const overTime = [...perDay.entries()].sort().map(([day, n]) => ({ day, accepted: (running += n) }));
    people.sort((a, b) => a.name.localeCompare(b.name));
    return {
      policyId,
      title: policy.title,
      version: version.version,
      publishedAt: version.published_at,
      deadline: campaign?.deadline ?? null,
      counts,
      overTime,
      people,
    };
  }

  /** For an inspection: every acceptance of the policy, with the text digest each one agreed to. */
  async acceptancesCsv(policyId: string, viewer: Person): Promise<string> {
    if (!mayManage(viewer)) throw new NotAllowed("the register is for the school's admins and the headteacher");
    this.policy(policyId);
    const rows = await this.register.forPolicy(policyId);
    const header = ['policy', 'version', 'personId', 'upn', 'acceptedAt', 'channel', 'textSha256'];
    return csvTable(
      header,
      rows.map((r) => [r.policy_id, r.version, r.person_id, r.upn, r.accepted_at, r.channel, r.text_hash]),
    );
  }

  /** One person's history across policies (admins), or their own. */
  async history(personId: string, viewer: Person): Promise<Acceptance[]> {
    if (personId !== viewer.id && !mayManage(viewer)) throw new NotAllowed('you may see only your own acceptances');
    return this.register.history(personId);
  }

  /** "My policies": what is addressed to me, what I have accepted, what is waiting. */
  async myPolicies(person: Person): Promise<
    Array<{
      policyId: string;
      title: string;
      version: number;
      versionId: string;
      status: 'accepted' | 'pending';
      acceptedAt: string | null;
      text: string;
      clauses: string[];
    }>
  > {
    const out = [];
    for (const policy of this.config.policies) {
      const version = await this.library.latest(policy.id);
      if (!version || !(await isInAudience(this.directory, version.audience as Audience[], person.id))) continue;
      const mine = await this.register.history(person.id, policy.id);
      const valid = validAcceptance(
        mine.map((a) => ({ ...a, acceptedAt: a.accepted_at })),
        version.version,
        policy.reacceptance,
        this.now(),
      );
      out.push({
        policyId: policy.id,
        title: version.title,
        version: version.version,
        versionId: version.id,
        status: valid ? ('accepted' as const) : ('pending' as const),
        acceptedAt: valid?.accepted_at ?? null,
        text: version.text,
        clauses: version.clauses,
      });
    }
    return out;
  }

  /** Policies with their latest version, for the admin's publish page. */
  async catalogue(
    viewer: Person,
  ): Promise<Array<{ policyId: string; title: string; audience: string[]; audienceSize: number | null; latestVersion: number | null; draftChanged: boolean }>> {
    if (!mayManage(viewer)) throw new NotAllowed("publishing is for the school's admins and the headteacher");
    const out = [];
    for (const p of this.config.policies) {
      const latest = await this.library.latest(p.id);
      out.push({
        policyId: p.id,
        title: p.title,
        audience: p.audience,
        audienceSize: await this.audienceSize(p.audience),
        latestVersion: latest?.version ?? null,
        draftChanged: !latest || latest.text_hash !== textHash(this.library.draftText(p.id)),
      });
    }
    return out;
  }

  /** How many people publishing would ask (the tab asks the admin to confirm); null when no audience group is configured. */
  private async audienceSize(audience: Audience[]): Promise<number | null> {
    const everyone = new Set<string>();
    let known = false;
    for (const a of audience) {
      const members = await membersOf(this.directory, a);
      if (!members) continue;
      known = true;
      for (const id of members) everyone.add(id);
    }
    return known ? everyone.size : null;
  }

  async version(versionId: string): Promise<PolicyVersion | undefined> {
    return this.library.get(versionId);
  }

  private policy(policyId: string) {
    const p = this.config.policies.find((x) => x.id === policyId);
    if (!p) throw new InvalidRequest(`no policy "${policyId}"`);
    return p;
  }
}
