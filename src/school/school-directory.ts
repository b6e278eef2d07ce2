import type { SchoolConfig } from '../config/school-config';
import { isGraphError, type GraphAccess } from '../graph/graph-access';
import type { Graph, Optional, Present, Selected } from '../graph/graph-types';
import type { DirectoryStore, DirectoryUser } from './directory-store';

/** What the school calls a person. */
export type PersonKind = 'staff' | 'student' | 'governor' | 'guest' | 'unknown';

/** What a person may do in the app. A person can hold several. */
/** `chair`: the chair of governors, who receives concerns about the headteacher (policy 002). */
export type AppRole = 'student' | 'staff' | 'teacher' | 'governor' | 'chair' | 'safeguarding' | 'dsl' | 'headteacher' | 'admin';

export interface Person {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  kind: PersonKind;
  /** How the kind was decided: the configured group, the Education API, or the licence. */
  classifiedBy: 'group' | 'education-api' | 'licence' | 'guest' | 'none';
  roles: AppRole[];
}

/** user.md: userType is "Member" or "Guest". */
interface GraphUser
  extends
    Present<Graph.User, 'id' | 'displayName' | 'userPrincipalName' | 'userType'>,
    Selected<Graph.User, 'mail' | 'jobTitle'>,
    Optional<Graph.User, 'assignedLicenses'> {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  userType: 'Member' | 'Guest';
  jobTitle: string | null;
  assignedLicenses?: Array<{ skuId: string }>;
}

type GroupKey = keyof SchoolConfig['groups'];
/** The configured groups' ids and every tracked group's direct members, from the local directory. */
interface LocalGroups {
  configured: Partial<Record<GroupKey, string>>;
  direct: Map<string, string[]>;
}
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How often a process asks the database whether another instance refreshed the directory. */
const LOCAL_CHECK_MS = 10_000;
/** Three refreshes (five minutes apart by default) missed: the copy is too old to decide roles from. */
const DEFAULT_MAX_STALE_MS = 3 * 5 * 60_000;

export interface DirectoryFreshness {
  /** Whether the local copy is in use (synced and not too old). */
  local: boolean;
  /** The copy has had its first full round but not been refreshed for too long: read from Graph instead. */
  stale: boolean;
  /** When the older of people and groups was last refreshed. */
  oldestSyncedAt?: string;
}

export interface SchoolDirectoryOptions {
  /**
   * How old the copy may get (since its older part was last refreshed) before people are read
   * from Graph again: about three refresh intervals, so that failing refreshes do not leave roles
   * decided from an old copy for ever.
   */
  maxStaleMs?: number;
  /** Told once each time the copy becomes too old (to log it and show it at /readyz). */
  onStale?: (freshness: DirectoryFreshness) => void;
}

/**
 * The school's people as the configuration defines them. With a local directory (issue 16: the
 * click path never waits for Graph) they are read from the database, which DirectoryRefresher keeps
 * from Graph's delta queries; a person who joined since the last refresh costs one Graph read,
 * remembered (a miss too). Without one, or until its first full round, they are read from Graph,
 * group membership cached for a few minutes: roles change rarely, and every tab request asks.
 */
export class SchoolDirectory {
  private members = new Map<GroupKey, { ids: Set<string>; at: number }>();
  private userIdsByRef = new Map<string, { id: string | undefined; at: number }>();
  private everyone?: { names: Map<string, { displayName: string; userPrincipalName: string }>; at: number };
  /** People read from Graph because the local directory did not have them yet (undefined: not in the tenant). */
  private newcomers = new Map<string, { person: Person | undefined; at: number }>();
  private localState: { synced: boolean; stale: boolean; generation: number; oldestSyncedAt?: string; checkedAt: number } | undefined;
  /** primaryRole from the Education API, by user id (undefined: none, or not readable), until the directory moves on. */
  private educationRoles = new Map<string, { role: string | undefined; at: number }>();
  private localGroups?: Promise<LocalGroups>;
  /**
   * Everyone in the local copy by id, sign-in name and mail, read once per generation: at the start
   * of term every click asks who its sender is, and a read per click was a quarter of its statements.
   * About 0.5 KB a person (25 MB at 50,000).
   */
  private localUsers?: Promise<Map<string, DirectoryUser>>;
  /** Reading a new generation, while clicks are answered from the one before (switchTo). */
  private switching?: Promise<void>;

  constructor(
    private readonly graph: GraphAccess,
    private readonly config: SchoolConfig,
    private readonly cacheMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly store?: DirectoryStore,
    private readonly options: SchoolDirectoryOptions = {},
  ) {}

  /**
   * The local directory changed (this instance refreshed it): read it afresh. Resolves once this
   * instance answers from the new generation.
   */
  async localChanged(): Promise<void> {
    if (!this.localState) return;
    await this.switching;
    this.localState.checkedAt = -Infinity;
    await this.local();
    await this.switching;
  }

  /** The local directory once it has had its first full round; its caches dropped when it moved on. */
  private async local(): Promise<DirectoryStore | undefined> {
    if (!this.store) return undefined;
    const now = this.now();
    if (!this.switching && (!this.localState || now - this.localState.checkedAt >= LOCAL_CHECK_MS)) {
      const { synced, generation, oldestSyncedAt } = await this.store.state();
      const maxStale = this.options.maxStaleMs ?? DEFAULT_MAX_STALE_MS;
      const stale = synced && oldestSyncedAt !== undefined && now - Date.parse(oldestSyncedAt) > maxStale;
      const next = { synced, stale, generation, ...(oldestSyncedAt ? { oldestSyncedAt } : {}), checkedAt: now };
      const previous = this.localState;
      if (stale && !previous?.stale) this.options.onStale?.({ local: false, stale, ...(oldestSyncedAt ? { oldestSyncedAt } : {}) });
      if (this.switching) {
        // Another click saw the new generation first and is reading it.
      } else if (previous && generation !== previous.generation && synced && !stale && !previous.stale && this.localUsers) {
        this.switching = this.switchTo(this.store, next);
      } else {
        // Moving between the copy and Graph drops the caches too: neither answers for the other.
        if (generation !== previous?.generation || stale !== previous.stale) this.forget();
        this.localState = next;
      }
    }
    return this.localState!.synced && !this.localState!.stale ? this.store : undefined;
  }

  /**
   * A refresh moved the copy on: its people and groups are read before this instance switches to
   * them, and until then clicks are answered from the generation before (one refresh older, as the
   * copy always is between refreshes). At 50,000 people reading them takes about a second: at the
   * start of term every click arriving in that second waited for it.
   */
  private async switchTo(store: DirectoryStore, next: NonNullable<SchoolDirectory['localState']>): Promise<void> {
    try {
      const users = this.indexOfPeople(store);
      const groups = this.loadLocalGroups(store);
      await Promise.all([users, groups]);
      this.forget();
      this.localUsers = users;
      this.localGroups = groups;
    } catch {
      // Read again when first asked, as before the copy moved on.
      this.forget();
    } finally {
      this.localState = next;
      this.switching = undefined;
    }
  }

  /** How fresh the local copy is (for /readyz): a stale copy is not used, people are read from Graph. */
  async freshness(): Promise<DirectoryFreshness> {
    // Readiness reports the copy as the database has it now, not as a click last checked it (one
    // small read per probe); a refresh this instance made is read already (localChanged).
    if (this.localState && !this.switching) this.localState.checkedAt = -Infinity;
    const local = await this.local();
    const state = this.localState;
    return { local: !!local, stale: state?.stale ?? false, ...(state?.oldestSyncedAt ? { oldestSyncedAt: state.oldestSyncedAt } : {}) };
  }

  private forget(): void {
    this.members.clear();
    this.everyone = undefined;
    this.newcomers.clear();
    this.localGroups = undefined;
    this.localUsers = undefined;
    this.educationRoles.clear();
    for (const [ref, cached] of this.userIdsByRef) if (!cached.id) this.userIdsByRef.delete(ref);
  }

  async person(idOrUpn: string): Promise<Person | undefined> {
    const local = await this.local();
    if (!local) return this.personFromGraph(idOrUpn);
    const known = await this.localUser(local, idOrUpn);
    if (known) return this.personOf(graphUserOf(known));
    const key = idOrUpn.toLowerCase();
    const cached = this.newcomers.get(key);
    if (cached && this.now() - cached.at < this.cacheMs) return cached.person;
    const person = await this.personFromGraph(idOrUpn);
    this.newcomers.set(key, { person, at: this.now() });
    return person;
  }

  /** As DirectoryStore.user answers (id exactly, sign-in name or mail in any case), from the generation's index. */
  private async localUser(local: DirectoryStore, idOrUpn: string): Promise<DirectoryUser | undefined> {
    const loading = (this.localUsers ??= this.indexOfPeople(local));
    let users: Map<string, DirectoryUser>;
    try {
      users = await loading;
    } catch (e) {
      if (this.localUsers === loading) this.localUsers = undefined;
      throw e;
    }
    const key = idOrUpn.toLowerCase();
    return users.get(`id:${idOrUpn}`) ?? users.get(`upn:${key}`) ?? users.get(`mail:${key}`);
  }

  private async indexOfPeople(local: DirectoryStore): Promise<Map<string, DirectoryUser>> {
    const index = new Map<string, DirectoryUser>();
    for (const u of await local.everyone()) {
      index.set(`id:${u.id}`, u);
      index.set(`upn:${u.userPrincipalName.toLowerCase()}`, u);
      if (u.mail) index.set(`mail:${u.mail.toLowerCase()}`, u);
    }
    return index;
  }

  private async personFromGraph(idOrUpn: string): Promise<Person | undefined> {
    let user: GraphUser;
    try {
      user = await this.graph.get<GraphUser>(
        `/users/${encodeURIComponent(idOrUpn)}?$select=id,displayName,userPrincipalName,mail,userType,jobTitle,assignedLicenses`,
      );
    } catch (e) {
      if (isGraphError(e, 404)) return undefined;
      throw e;
    }
    return this.personOf(user);
  }

  private async personOf(user: GraphUser): Promise<Person> {
    const { kind, classifiedBy } = await this.classify(user);
    return {
      id: user.id,
      displayName: user.displayName,
      userPrincipalName: user.userPrincipalName,
      mail: user.mail,
      kind,
      classifiedBy,
      roles: await this.rolesOf(user, kind),
    };
  }

  /**
   * User ids of the configured people (DSL, deputies, head), resolved once. Someone not found (the
   * chair of governors may be outside the tenant) is remembered as not found for a while, so a
   * click does not ask Graph again.
   */
  async userIdOf(ref: string): Promise<string | undefined> {
    if (GUID.test(ref)) return ref;
    const key = ref.toLowerCase();
    const cached = this.userIdsByRef.get(key);
    if (cached && (cached.id || this.now() - cached.at < this.cacheMs)) return cached.id;
    const local = await this.local();
    let id = local ? (await this.localUser(local, ref))?.id : undefined;
    if (!id) {
      try {
        id = (await this.graph.get<{ id: string }>(`/users/${encodeURIComponent(ref)}?$select=id`)).id;
      } catch (e) {
        if (!isGraphError(e, 404)) throw e;
      }
    }
    this.userIdsByRef.set(key, { id, at: this.now() });
    return id;
  }

  /**
   * A student's date of birth from the Education API (School Data Sync fills it), or undefined when
   * the school's data does not hold one. Retention of child protection records runs from it.
   */
  async birthDateOf(userId: string): Promise<string | undefined> {
    try {
      const edu = await this.graph.get<Optional<Graph.EducationUser, 'student'>>(`/education/users/${encodeURIComponent(userId)}?$select=id,student`);
      return edu.student?.birthDate?.slice(0, 10) || undefined;
    } catch (e) {
      if (isGraphError(e, 404) || isGraphError(e, 403)) return undefined;
      throw e;
    }
  }

  /** Everyone's name and UPN by id, from one paged listing (cached like group members). */
  async names(): Promise<Map<string, { displayName: string; userPrincipalName: string }>> {
    const local = await this.local();
    if (this.everyone && this.now() - this.everyone.at < this.cacheMs) return this.everyone.names;
    if (local) {
      this.everyone = { names: await local.names(), at: this.now() };
      return this.everyone.names;
    }
    const names = new Map<string, { displayName: string; userPrincipalName: string }>();
    for (const u of await this.graph.all<{ id: string; displayName: string; userPrincipalName: string }>(
      '/users?$select=id,displayName,userPrincipalName&$top=999',
    ))
      names.set(u.id, u);
    this.everyone = { names, at: this.now() };
    return names;
  }

  /** A student's parents and guardians with an email address (Education API relatedContacts). */
  async parentsOf(studentId: string): Promise<Array<{ name: string; email: string }>> {
    try {
      const edu = await this.graph.get<Optional<Graph.EducationUser, 'relatedContacts'>>(
        `/education/users/${encodeURIComponent(studentId)}?$select=id,relatedContacts`,
      );
      return (edu.relatedContacts ?? [])
        .filter((c) => (c.relationship === 'parent' || c.relationship === 'guardian') && !!c.emailAddress)
        .map((c) => ({ name: c.displayName ?? 'Parent or carer', email: c.emailAddress!.toLowerCase() }));
    } catch (e) {
      if (isGraphError(e, 404) || isGraphError(e, 403)) return [];
      throw e;
    }
  }

  /** The person's line manager in Entra (`/users/{id}/manager`), if one is set. */
  async managerOf(userId: string): Promise<string | undefined> {
    try {
      return (await this.graph.get<{ id: string }>(`/users/${encodeURIComponent(userId)}/manager?$select=id`)).id;
    } catch (e) {
      if (isGraphError(e, 404)) return undefined;
      throw e;
    }
  }

  async isMemberOf(group: GroupKey, userId: string): Promise<boolean | undefined> {
    const ids = await this.groupMembers(group);
    return ids?.has(userId);
  }

  /** undefined when the school did not configure that group. */
  async groupMembers(group: GroupKey): Promise<Set<string> | undefined> {
    const ref = this.config.groups[group];
    if (!ref) return undefined;
    const local = await this.local();
    const cached = this.members.get(group);
    if (cached && this.now() - cached.at < this.cacheMs) return cached.ids;
    if (local) {
      const ids = await this.localMembers(local, group);
      this.members.set(group, { ids, at: this.now() });
      return ids;
    }
    const groupId = await this.groupIdOf(ref);
    const ids = new Set<string>();
    if (groupId) {
      for (const m of await this.graph.all<{ id: string }>(`/groups/${groupId}/transitiveMembers?$select=id&$top=999`)) ids.add(m.id);
    }
    this.members.set(group, { ids, at: this.now() });
    return ids;
  }

  /** The group's transitive members from the local directory: its direct members, and theirs for nested groups. */
  private async localMembers(local: DirectoryStore, group: GroupKey): Promise<Set<string>> {
    this.localGroups ??= this.loadLocalGroups(local);
    const { configured, direct } = await this.localGroups;
    const ids = new Set<string>();
    const visited = new Set<string>();
    const walk = (groupId: string) => {
      if (visited.has(groupId)) return;
      visited.add(groupId);
      for (const id of direct.get(groupId) ?? []) {
        ids.add(id);
        if (direct.has(id)) walk(id);
      }
    };
    const groupId = configured[group];
    if (groupId) walk(groupId);
    return ids;
  }

  /** Every tracked group's direct members, read once per directory generation. */
  private loadLocalGroups(local: DirectoryStore): Promise<LocalGroups> {
    const loading = (async () => {
      const detail = (await local.sync('groups'))?.detail;
      const configured = detail ? ((JSON.parse(detail) as { configured?: Partial<Record<GroupKey, string>> }).configured ?? {}) : {};
      const direct = new Map<string, string[]>();
      for (const m of await local.members()) {
        const list = direct.get(m.groupId);
        if (list) list.push(m.memberId);
        else direct.set(m.groupId, [m.memberId]);
      }
      return { configured, direct };
    })();
    // A failed read is not kept: the next click reads again (a cached rejection would fail every
    // role check until the directory moved on).
    loading.catch(() => {
      if (this.localGroups === loading) this.localGroups = undefined;
    });
    return loading;
  }

  private async groupIdOf(ref: string): Promise<string | undefined> {
    if (GUID.test(ref)) return ref;
    const found = await this.graph.get<{ value: Array<{ id: string }> }>(`/groups?$filter=mail eq '${ref.replace(/'/g, "''")}'&$select=id`);
    return found.value[0]?.id;
  }

  private async classify(user: GraphUser): Promise<Pick<Person, 'kind' | 'classifiedBy'>> {
    if (user.userType === 'Guest') return { kind: 'guest', classifiedBy: 'guest' };
    for (const [group, kind] of [
      ['staff', 'staff'],
      ['students', 'student'],
      ['governors', 'governor'],
    ] as const) {
      if (await this.isMemberOf(group, user.id)) return { kind, classifiedBy: 'group' };
    }
    // Groups are the school's own word; when staff and students are not both configured, ask the
    // Education API (School Data Sync fills primaryRole), then fall back to the licence.
    const groupsSet = this.config.groups.staff && this.config.groups.students;
    if (!groupsSet && this.config.classification.useEducationApi) {
      const role = await this.primaryRoleOf(user.id);
      // v1.0's educationUserRole is student, teacher or none ('faculty' is beta's only: its CSDL).
      if (role === 'teacher') return { kind: 'staff', classifiedBy: 'education-api' };
      if (role === 'student') return { kind: 'student', classifiedBy: 'education-api' };
    }
    if (!groupsSet) {
      const skus = new Set((user.assignedLicenses ?? []).map((l) => l.skuId.toLowerCase()));
      const has = (ids: string[]) => ids.some((id) => skus.has(id.toLowerCase()));
      if (has(this.config.classification.staffSkuIds)) return { kind: 'staff', classifiedBy: 'licence' };
      if (has(this.config.classification.studentSkuIds)) return { kind: 'student', classifiedBy: 'licence' };
    }
    return { kind: 'unknown', classifiedBy: 'none' };
  }

  /**
   * A person's primaryRole from the Education API, read once and remembered (a miss too) until the
   * local directory moves on to a new generation, or for the cache time without one: every click
   * classifies its caller, and the click path must not wait for Graph (issue 16).
   */
  private async primaryRoleOf(userId: string): Promise<string | undefined> {
    const known = this.educationRoles.get(userId);
    const localInUse = !!this.localState?.synced && !this.localState.stale;
    if (known && (localInUse || this.now() - known.at < this.cacheMs)) return known.role;
    let role: string | undefined;
    try {
      role =
        (await this.graph.get<Optional<Graph.EducationUser, 'primaryRole'>>(`/education/users/${encodeURIComponent(userId)}?$select=id,primaryRole`))
          .primaryRole ?? undefined;
    } catch (e) {
      if (!isGraphError(e)) throw e;
      // Not there, or not allowed (no School Data Sync, no EduRoster permission): remembered. A
      // passing failure (throttled, unavailable) is not: the next click asks again.
      if (!isGraphError(e, 404) && !isGraphError(e, 403)) return undefined;
    }
    this.educationRoles.set(userId, { role, at: this.now() });
    return role;
  }

  private async rolesOf(user: GraphUser, kind: PersonKind): Promise<AppRole[]> {
    const roles = new Set<AppRole>();
    if (kind === 'student') roles.add('student');
    if (kind === 'governor') roles.add('governor');
    if (kind === 'staff') {
      roles.add('staff');
      // Any member of staff may run a remote lesson (cover, tutors, support staff).
      roles.add('teacher');
    }
    const s = this.config.safeguarding;
    const is = async (ref: string) => (await this.userIdOf(ref)) === user.id;
    if (await is(s.dsl)) roles.add('dsl').add('safeguarding');
    for (const d of s.deputies) if (await is(d)) roles.add('safeguarding');
    if (await this.isMemberOf('safeguardingTeam', user.id)) roles.add('safeguarding');
    if (await is(s.headteacher)) roles.add('headteacher');
    // Only a governor can be the chair: nobody else pays for the lookup (the chair may be outside the tenant).
    if (kind === 'governor' && (await is(s.chairOfGovernors.email))) roles.add('chair');
    if (await this.isMemberOf('admins', user.id)) roles.add('admin');
    return [...roles];
  }
}

function graphUserOf(u: DirectoryUser): GraphUser {
  return {
    id: u.id,
    displayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
    mail: u.mail,
    userType: u.userType,
    jobTitle: u.jobTitle,
    assignedLicenses: u.skuIds.map((skuId) => ({ skuId })),
  };
}
