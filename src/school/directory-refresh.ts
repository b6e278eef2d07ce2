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
  tracked: string[];
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
      /** Told after each refresh (this instance's SchoolDirectory drops its caches). */
      onRefreshed?: () => void;
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
    this.deps.onRefreshed?.();
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
        const removed = round.items.filter((u) => u['@removed']).map((u) => u.id);
        const changed = round.items.filter((u) => !u['@removed']).map(directoryUser);
        await store.applyUsers(changed, removed, { deltaLink: round.deltaLink ?? link, detail: '{}', syncedAt: this.syncedAt });
        return 'delta';
      }
    }
    const round = await graph.delta<DeltaUser>(USER_DELTA);
    // A first round can carry @removed too (delta-query-overview.md): those are simply not kept.
    const everyone = new Map(round.items.filter((u) => !u['@removed']).map((u) => [u.id, directoryUser(u)]));
    await store.replaceUsers([...everyone.values()], { deltaLink: round.deltaLink ?? null, detail: '{}', syncedAt: this.syncedAt });
    return 'full';
  }

  private async refreshGroups(): Promise<'full' | 'delta' | 'none'> {
    const { store } = this.deps;
    const saved = (await store.sync('groups'))?.detail;
    const previous = saved ? (JSON.parse(saved) as GroupsDetail) : undefined;
    const configured = await this.configuredGroups(previous);
    const ids = [...new Set(Object.values(configured))];
    if (ids.length === 0) {
      await store.replaceMembers([], { deltaLink: null, detail: JSON.stringify({ configured, tracked: [], links: [] }), syncedAt: this.syncedAt });
      return 'none';
    }
    // The same groups as last time: resume from the delta links.
    const sameGroups = previous && ids.every((id) => previous.tracked.includes(id)) && previous.links.length > 0;
    if (previous && sameGroups) {
      const outcome = await this.groupsDelta(previous, configured);
      if (outcome) return outcome;
    }
    await this.groupsFull(ids, configured);
    return 'full';
  }

  /** A delta round of the tracked groups; undefined when Graph wants a full round (or nesting grew). */
  private async groupsDelta(previous: GroupsDetail, configured: GroupsDetail['configured']): Promise<'delta' | undefined> {
    const { graph, store } = this.deps;
    const added: DirectoryMember[] = [];
    const removed: Array<{ groupId: string; memberId: string }> = [];
    const deleted: string[] = [];
    const links: string[] = [];
    for (const link of previous.links) {
      const round = await resumable(() => graph.delta<DeltaGroup>(link));
      if (!round) return undefined;
      links.push(round.deltaLink ?? link);
      for (const g of round.items) {
        if (g['@removed']) deleted.push(g.id);
        for (const m of g['members@delta'] ?? []) {
          if (m['@removed']) removed.push({ groupId: g.id, memberId: m.id });
          else added.push({ groupId: g.id, memberId: m.id, memberType: memberType(m['@odata.type']) });
        }
      }
    }
    // A group newly nested in a tracked one must be tracked too: a full round of the larger set.
    if (added.some((m) => m.memberType === 'group' && !previous.tracked.includes(m.memberId))) return undefined;
    await store.applyMembers(added, removed, deleted, {
      deltaLink: null,
      detail: JSON.stringify({ configured, tracked: previous.tracked, links }),
      syncedAt: this.syncedAt,
    });
    return 'delta';
  }

  /** Full rounds of the configured groups, widening to nested groups until none is left out. */
  private async groupsFull(configuredIds: string[], configured: GroupsDetail['configured']): Promise<void> {
    const { graph, store } = this.deps;
    let tracked = configuredIds;
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
      tracked = [...tracked, ...nested];
    }
    await store.replaceMembers(members, { deltaLink: null, detail: JSON.stringify({ configured, tracked, links }), syncedAt: this.syncedAt });
  }

  /** The configured groups' ids: a GUID as it is, a group's address looked up once (kept with the sync). */
  private async configuredGroups(previous: GroupsDetail | undefined): Promise<GroupsDetail['configured']> {
    const out: GroupsDetail['configured'] = {};
    for (const [key, ref] of Object.entries(this.deps.config.groups) as Array<[GroupKey, string | undefined]>) {
      if (!ref) continue;
      if (GUID.test(ref)) out[key] = ref;
      else if (previous?.configured[key]) out[key] = previous.configured[key];
      else {
        const found = await this.deps.graph.get<{ value: Array<{ id: string }> }>(`/groups?$filter=mail eq '${ref.replace(/'/g, "''")}'&$select=id`);
        if (found.value[0]) out[key] = found.value[0].id;
      }
    }
    return out;
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
