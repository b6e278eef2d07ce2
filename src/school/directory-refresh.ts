import type { SchoolConfig } from '../config/school-config';
import { isGraphError, type GraphAccess } from '../graph/graph-access';
import type { DirectoryMember, DirectoryStore, DirectoryUser } from './directory-store';

type GroupKey = keyof SchoolConfig['groups'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What classification reads of a person; `id` is always returned (user-delta.md). */
export const USER_DELTA = '/users/delta?$select=id,displayName,userPrincipalName,mail,userType,jobTitle,assignedLicenses';
/** group-delta.md / delta-query-overview.md: `$filter=id eq` takes at most 50 groups. */
const MAX_GROUPS_PER_QUERY = 50;
/** Nesting deeper than this is not followed (a loop, or a school's groups gone astray). */
const MAX_NESTING = 5;

interface DeltaUser {
  id: string;
  '@removed'?: { reason: string };
  displayName?: string;
  userPrincipalName?: string;
  mail?: string | null;
  userType?: string | null;
  jobTitle?: string | null;
  assignedLicenses?: Array<{ skuId: string }>;
}

interface DeltaGroup {
  id: string;
  '@removed'?: { reason: string };
  'members@delta'?: Array<{ '@odata.type'?: string; id: string; '@removed'?: { reason: string } }>;
}

/** The groups the directory tracks: the configured ones by key, and every group found nested in them. */
interface GroupsDetail {
  configured: Partial<Record<GroupKey, string>>;
  /** The address each configured group was looked up by: its id is reused only while the address is the same. */
  addresses?: Partial<Record<GroupKey, string>>;
  /** Every group queried (configured, or nested in one within MAX_NESTING levels). */
  tracked: string[];
  /** Groups found nested at the last level followed: kept as members, not queried, not a reason for a full round. */
  beyond?: string[];
  /** One delta link per query of at most 50 groups. */
  links: string[];
}

export interface RefreshOutcome {
  users: 'full' | 'delta';
  groups: 'full' | 'delta' | 'none';
  /** Graph requests this refresh made. */
  requests: number;
}

/**
 * Keeps the school directory in the database from Graph's delta queries (delta-query-users.md,
 * delta-query-groups.md): a full round the first time, then only the changes. A delta link Graph
 * no longer honours (410 Gone, `syncStateNotFound`: tokens last seven days) starts a full round
 * again. One refresh at a time in this process (callers join the one under way); across instances
 * the job runner's lease makes one instance refresh for all (bin/start-app.ts).
 */
export class DirectoryRefresher {
  private running: Promise<RefreshOutcome> | undefined;

  constructor(
    private readonly deps: {
      graph: GraphAccess;
      store: DirectoryStore;
      config: SchoolConfig;
      now?: () => Date;
      /** Told after each refresh (this instance's SchoolDirectory reads the new generation); awaited. */
      onRefreshed?: () => unknown;
    },
  ) {}

  /** Single flight: a refresh asked for while one runs joins it, so no group is read twice. */
  refresh(): Promise<RefreshOutcome> {
    this.running ??= this.refreshOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async refreshOnce(): Promise<RefreshOutcome> {
    const before = this.deps.graph.stats.requests;
    const users = await this.refreshUsers();
    const groups = await this.refreshGroups();
    await this.deps.onRefreshed?.();
    return { users, groups, requests: this.deps.graph.stats.requests - before };
  }

  private get syncedAt(): string {
    return (this.deps.now ?? (() => new Date()))().toISOString();
  }

  private async refreshUsers(): Promise<'full' | 'delta'> {
    const { graph, store } = this.deps;
    const link = (await store.sync('users'))?.deltaLink;
    if (link) {
      const round = await resumable(() => graph.delta<DeltaUser>(link));
      if (round) {
        // delta-query-overview.md: "the same entity may appear more than once" in a round; the
        // last entry is its current state, so fold them in order before applying.
        const last = new Map<string, DeltaUser>();
        for (const u of round.items) last.set(u.id, u);
        const removed = [...last.values()].filter((u) => u['@removed']).map((u) => u.id);
        const changed = [...last.values()].filter((u) => !u['@removed']).map(directoryUser);
        await store.applyUsers(changed, removed, { deltaLink: round.deltaLink ?? link, detail: '{}', syncedAt: this.syncedAt });
        return 'delta';
      }
    }
    const round = await graph.delta<DeltaUser>(USER_DELTA);
    // A first round can carry @removed too (delta-query-overview.md), and one person more than
    // once: folded in order, the last entry wins, and the removed are not kept.
    const last = new Map<string, DeltaUser>();
    for (const u of round.items) last.set(u.id, u);
    const everyone = [...last.values()].filter((u) => !u['@removed']).map(directoryUser);
    await store.replaceUsers(everyone, { deltaLink: round.deltaLink ?? null, detail: '{}', syncedAt: this.syncedAt });
    return 'full';
  }

  private async refreshGroups(): Promise<'full' | 'delta' | 'none'> {
    const { store } = this.deps;
    const saved = (await store.sync('groups'))?.detail;
    const previous = saved ? (JSON.parse(saved) as GroupsDetail) : undefined;
    const { configured, addresses } = await this.configuredGroups(previous);
    const ids = [...new Set(Object.values(configured))];
    if (ids.length === 0) {
      const detail: GroupsDetail = { configured, addresses, tracked: [], links: [] };
      await store.replaceMembers([], { deltaLink: null, detail: JSON.stringify(detail), syncedAt: this.syncedAt });
      return 'none';
    }
    // The same groups as last time: resume from the delta links.
    const sameGroups = previous && ids.every((id) => previous.tracked.includes(id)) && previous.links.length > 0;
    if (previous && sameGroups) {
      const outcome = await this.groupsDelta(previous, configured, addresses);
      if (outcome) return outcome;
    }
    await this.groupsFull(ids, configured, addresses);
    return 'full';
  }

  /** A delta round of the tracked groups; undefined when Graph wants a full round (or nesting grew). */
  private async groupsDelta(
    previous: GroupsDetail,
    configured: GroupsDetail['configured'],
    addresses: GroupsDetail['addresses'],
  ): Promise<'delta' | undefined> {
    const { graph, store } = this.deps;
    // delta-query-overview.md: one object can appear several times in a round (a group's members
    // also come in parts, delta-query-groups.md). Folded in order, the last entry wins: a member
    // added then removed is removed, removed then added is a member.
    const memberships = new Map<string, { groupId: string; memberId: string; memberType: 'user' | 'group'; removed: boolean }>();
    const deleted = new Set<string>();
    const links: string[] = [];
    for (const link of previous.links) {
      const round = await resumable(() => graph.delta<DeltaGroup>(link));
      if (!round) return undefined;
      links.push(round.deltaLink ?? link);
      for (const g of round.items) {
        if (g['@removed']) {
          deleted.add(g.id);
          for (const [key, m] of memberships) if (m.groupId === g.id) memberships.delete(key);
          continue;
        }
        deleted.delete(g.id);
        for (const m of g['members@delta'] ?? [])
          memberships.set(`${g.id}|${m.id}`, { groupId: g.id, memberId: m.id, memberType: memberType(m['@odata.type']), removed: !!m['@removed'] });
      }
    }
    const added: DirectoryMember[] = [];
    const removed: Array<{ groupId: string; memberId: string }> = [];
    for (const m of memberships.values()) {
      if (m.removed) removed.push({ groupId: m.groupId, memberId: m.memberId });
      else added.push({ groupId: m.groupId, memberId: m.memberId, memberType: m.memberType });
    }
    // A group newly nested in a tracked one must be tracked too: a full round of the larger set.
    // One already found beyond the nesting limit is not (it would start a full round every time).
    const known = new Set([...previous.tracked, ...(previous.beyond ?? [])]);
    if (added.some((m) => m.memberType === 'group' && !known.has(m.memberId))) return undefined;
    const detail: GroupsDetail = { configured, addresses, tracked: previous.tracked, beyond: previous.beyond ?? [], links };
    await store.applyMembers(added, removed, [...deleted], {
      deltaLink: null,
      detail: JSON.stringify(detail),
      syncedAt: this.syncedAt,
    });
    return 'delta';
  }

  /** Full rounds of the configured groups, widening to nested groups until none is left out. */
  private async groupsFull(configuredIds: string[], configured: GroupsDetail['configured'], addresses: GroupsDetail['addresses']): Promise<void> {
    const { graph, store } = this.deps;
    let tracked = configuredIds;
    let beyond: string[] = [];
    let members: DirectoryMember[] = [];
    let links: string[] = [];
    for (let depth = 0; depth <= MAX_NESTING; depth++) {
      members = [];
      links = [];
      for (let i = 0; i < tracked.length; i += MAX_GROUPS_PER_QUERY) {
        const filter = tracked
          .slice(i, i + MAX_GROUPS_PER_QUERY)
          .map((id) => `id eq '${id}'`)
          .join(' or ');
        const round = await graph.delta<DeltaGroup>(`/groups/delta?$filter=${filter}&$select=id,members`);
        if (round.deltaLink) links.push(round.deltaLink);
        // A large group comes in parts over several pages: merge them (delta-query-groups.md).
        for (const g of round.items) {
          if (g['@removed']) continue;
          for (const m of g['members@delta'] ?? [])
            if (!m['@removed']) members.push({ groupId: g.id, memberId: m.id, memberType: memberType(m['@odata.type']) });
        }
      }
      const nested = [...new Set(members.filter((m) => m.memberType === 'group').map((m) => m.memberId))].filter((id) => !tracked.includes(id));
      if (nested.length === 0) break;
      // At the last level the nested groups are not queried: they must not be called tracked (a
      // tracked group is one whose members the copy holds, and whose delta link resumes it).
      if (depth === MAX_NESTING) {
        beyond = nested;
        break;
      }
      tracked = [...tracked, ...nested];
    }
    const detail: GroupsDetail = { configured, addresses, tracked, beyond, links };
    await store.replaceMembers(members, { deltaLink: null, detail: JSON.stringify(detail), syncedAt: this.syncedAt });
  }

  /**
   * The configured groups' ids: a GUID as it is; a group's address looked up once and kept with
   * the sync next to the address, so that a school changing the address in its configuration has
   * the new group looked up (the old id is reused only while the address is the same).
   */
  private async configuredGroups(previous: GroupsDetail | undefined): Promise<Pick<GroupsDetail, 'configured' | 'addresses'>> {
    const configured: GroupsDetail['configured'] = {};
    const addresses: GroupsDetail['addresses'] = {};
    for (const [key, ref] of Object.entries(this.deps.config.groups) as Array<[GroupKey, string | undefined]>) {
      if (!ref) continue;
      if (GUID.test(ref)) {
        configured[key] = ref;
        continue;
      }
      addresses[key] = ref;
      const before = previous?.configured[key];
      if (before && previous?.addresses?.[key]?.toLowerCase() === ref.toLowerCase()) configured[key] = before;
      else {
        const found = await this.deps.graph.get<{ value: Array<{ id: string }> }>(`/groups?$filter=mail eq '${ref.replace(/'/g, "''")}'&$select=id`);
        if (found.value[0]) configured[key] = found.value[0].id;
      }
    }
    return { configured, addresses };
  }
}

/** A delta round, or undefined when Graph says to start again (delta-query-overview.md, "Synchronization reset", "Token duration"). */
async function resumable<T>(round: () => Promise<T>): Promise<T | undefined> {
  try {
    return await round();
  } catch (e) {
    if (isGraphError(e, 410) || (isGraphError(e) && /syncStateNotFound|resync/i.test(String((e as { code?: unknown }).code ?? '')))) return undefined;
    throw e;
  }
}

function memberType(odataType: string | undefined): 'user' | 'group' {
  return odataType === '#microsoft.graph.group' ? 'group' : 'user';
}

function directoryUser(u: DeltaUser): DirectoryUser {
  return {
    id: u.id,
    displayName: u.displayName ?? '',
    userPrincipalName: u.userPrincipalName ?? '',
    mail: u.mail ?? null,
    userType: u.userType === 'Guest' ? 'Guest' : 'Member',
    jobTitle: u.jobTitle ?? null,
    skuIds: (u.assignedLicenses ?? []).map((l) => l.skuId),
  };
}

/** The job's name in the runner (and its lease): one instance refreshes the directory for all. */
export const DIRECTORY_JOB = 'school-directory.refresh';

/**
 * Refreshes the directory at start and every `intervalMs` (five minutes: a new starter is known
 * within that, and asked for by id meanwhile) on whichever instance holds the lease. The lease
 * outlasts a first full round of a large tenant, so no second instance starts one alongside.
 */
export function scheduleDirectoryRefresh(
  runner: { every(name: string, intervalMs: number, run: () => Promise<unknown>, options?: { leaseMs?: number }): void },
  refresher: DirectoryRefresher,
  intervalMs = 5 * 60_000,
): void {
  runner.every(DIRECTORY_JOB, intervalMs, () => refresher.refresh(), { leaseMs: Math.max(intervalMs, 15 * 60_000) });
}
