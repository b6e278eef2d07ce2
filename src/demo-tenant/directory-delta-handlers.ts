import { http, HttpResponse, type HttpHandler } from 'msw';
import { graphError } from './odata';
import type { DemoGroup, DemoSchool, DemoUser } from './school-model';

/**
 * `GET /users/delta` and `GET /groups/delta` of the demo tenant, as Microsoft documents them
 * (microsoftgraph/microsoft-graph-docs-contrib: api-reference/v1.0/api/user-delta.md,
 * group-delta.md; concepts/delta-query-overview.md, delta-query-users.md, delta-query-groups.md):
 *
 * - A round is the first request, then `@odata.nextLink`s (`$skiptoken`) until the last page carries
 *   an `@odata.deltaLink` (`$deltatoken`). The query parameters of the first request (`$select`,
 *   `$filter`) are encoded in the tokens; `$select` next to a `$skiptoken` is not supported.
 * - The first round returns what exists now; a delta link returns what changed since: created and
 *   changed objects with their selected properties (all of them, changed or not: the default
 *   behaviour; `Prefer: return=minimal` is optional and not modelled), removed ones as
 *   `{ id, "@removed": { reason } }`. With a `$select`, a change to an unselected property does not
 *   bring the object back.
 * - Groups carry membership as `members@delta` (with no `$select`, or one naming `members`): every
 *   member on the first round, then the members added, and removed ones with `@removed`. An update
 *   carries "at least the properties that have been updated": a change of members alone comes as
 *   the id and `members@delta` for some groups (`answersWithIdAlone`), with every property for others. A large
 *   group's members are split over pages, the group repeated on each (delta-query-groups.md,
 *   "Paging through members in a large group").
 * - `$filter` only as `id eq '...'` joined by `or`, at most 50 ids; `$top`, `$orderby`, `$search`,
 *   `$count` and (for users) `$expand` are refused; `$deltatoken=latest` gives a delta link and no
 *   data. A token names the function that issued it: a users token is refused by groups.
 * - A removed user is `@removed` with reason `changed` (restorable), a removed group `changed` when
 *   it is a Microsoft 365 group and `deleted` otherwise; a removed user also leaves every group
 *   (`members@delta` with `@removed`).
 * - Directory delta tokens last seven days ("Token duration": an expired one is refused with
 *   `syncStateNotFound`); when the service resets the sync (`expireDeltaLinks()`), a delta link
 *   answers 410 Gone with a Location to start again: the token's initial query, an empty
 *   `$deltatoken` ("Synchronization reset").
 *
 * Changes are not recorded by the code that makes them: each request compares the school model with
 * what it last saw, so a test or the demo can add a user or remove a member by editing `school`
 * and the next delta reports it.
 */

/** delta-query-overview.md, "Token duration": seven days for directory objects. */
export const DIRECTORY_DELTA_TOKEN_MS = 7 * 24 * 60 * 60_000;
/** delta-query-overview.md: "There is a limit of 50 filtered objects." */
const MAX_FILTERED_IDS = 50;
/** Objects (a member counting as one) per page: Graph's page sizes vary and are not promised. */
const PAGE_WEIGHT = 200;
/** Members of one group per page: a larger group is split over pages. */
const MEMBERS_PER_ENTRY = 100;

/** user-delta.md, Example 1: the properties returned with no `$select`. */
const USER_DEFAULT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
];

type Json = Record<string, unknown>;

/** One tracked object: each property's value as last seen and the change at which it last changed. */
interface Tracked {
  /** Primitives as they are, arrays and objects as JSON (a copy: the model's own may change later). */
  props: Map<string, { value: unknown; version: number }>;
  created: number;
  /** The change at which it left the directory. */
  removed?: number;
}

interface MemberState {
  type: 'user' | 'group';
  version: number;
  removed: boolean;
}

interface TokenState {
  /** Which function issued it: a /users/delta token is no token for /groups/delta. */
  kind: 'users' | 'groups';
  /** Changes after this one (−1: everything that exists). */
  since: number;
  /** The change the round is a snapshot of. */
  upTo: number;
  select: string[] | null;
  ids: string[] | null;
  epoch: number;
  issuedAt: number;
  /** Paging cursor: the last object served, and how many of its members. */
  after?: string;
  memberOffset?: number;
}

export interface DirectoryDeltaOptions {
  /** Bumped by the tenant's expireDeltaLinks(): links of an older epoch are gone (410). */
  epoch: () => number;
  now?: () => number;
}

class DirectoryChanges {
  version = 0;
  readonly users = new Map<string, Tracked>();
  readonly groups = new Map<string, Tracked>();
  readonly members = new Map<string, Map<string, MemberState>>();

  constructor(private readonly school: DemoSchool) {
    this.observe();
  }

  private sorted?: { version: number; users: string[]; groups: string[] };

  /** Ids in the order pages are cut (a `$skiptoken` names the last one served), kept until something changes. */
  order(): { users: string[]; groups: string[] } {
    if (this.sorted?.version !== this.version || this.sorted.users.length !== this.users.size || this.sorted.groups.length !== this.groups.size) {
      const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      this.sorted = { version: this.version, users: [...this.users.keys()].sort(byId), groups: [...this.groups.keys()].sort(byId) };
    }
    return this.sorted;
  }

  /** Compares the school model with the last look; each difference is a change with its own number. */
  observe(what: 'users' | 'groups' | 'both' = 'both'): void {
    const change = () => ++this.version;
    const first = this.users.size === 0 && this.groups.size === 0;
    const stamp = first ? () => 0 : change;
    if (what !== 'groups') track(this.users, this.school.users, directoryUserJson, stamp);
    if (what === 'users') return;
    track(this.groups, this.school.groups, directoryGroupJson, stamp);
    const userIds = new Set(this.school.users.map((u) => u.id));
    const groupIds = new Set(this.school.groups.map((g) => g.id));
    for (const g of this.school.groups) {
      let known = this.members.get(g.id);
      if (!known) this.members.set(g.id, (known = new Map()));
      // delta-query-groups.md: a member is removed "either by removing the membership or by
      // deleting the user object itself": someone gone from the directory is no member of anything
      // (the model keeps the id in memberIds, as a restored user gets their memberships back).
      const now = new Set(g.memberIds.filter((id) => userIds.has(id) || groupIds.has(id)));
      for (const id of now) {
        const was = known.get(id);
        if (!was || was.removed) known.set(id, { type: userIds.has(id) ? 'user' : 'group', version: stamp(), removed: false });
      }
      for (const [id, state] of known) if (!state.removed && !now.has(id)) known.set(id, { ...state, version: stamp(), removed: true });
    }
    // A removed group's memberships go with it (reported as the group's @removed).
  }
}

function track<T extends { id: string }>(tracked: Map<string, Tracked>, current: readonly T[], json: (x: T) => Json, stamp: () => number) {
  const seen = new Set<string>();
  for (const x of current) {
    seen.add(x.id);
    const props = json(x);
    let t = tracked.get(x.id);
    if (!t || t.removed !== undefined) {
      const v = stamp();
      t = { props: new Map(), created: v };
      tracked.set(x.id, t);
      for (const [k, value] of Object.entries(props)) t.props.set(k, { value: snapshot(value), version: v });
      continue;
    }
    for (const [k, value] of Object.entries(props)) {
      const now = snapshot(value);
      const was = t.props.get(k);
      if (!was || was.value !== now) t.props.set(k, { value: now, version: stamp() });
    }
  }
  for (const [id, t] of tracked) if (t.removed === undefined && !seen.has(id)) t.removed = stamp();
}

/** The Graph properties of a demo user (the demo's bookkeeping fields stripped, as userJson does). */
function directoryUserJson(u: DemoUser): Json {
  const { role: _r, primaryRole: _p, managerId: _m, driveProvisioned: _d, birthDate: _b, ...graph } = u;
  return graph;
}

function directoryGroupJson(g: DemoGroup): Json {
  const { memberIds: _m, ownerIds: _o, kind: _k, ...graph } = g;
  return graph;
}

const encode = (state: TokenState) => Buffer.from(JSON.stringify(state)).toString('base64url');
function decode(token: string): TokenState | undefined {
  try {
    const s = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenState;
    return typeof s.since === 'number' && typeof s.upTo === 'number' && (s.kind === 'users' || s.kind === 'groups') ? s : undefined;
  } catch {
    return undefined;
  }
}

/** `id eq '…' or id eq '…'`: the only $filter directory delta supports (user-delta.md, group-delta.md). */
function filteredIds(filter: string): string[] | 'unsupported' | 'too-many' {
  const parts = filter.split(/\s+or\s+/i).map((p) => /^\s*id\s+eq\s+'([^']+)'\s*$/i.exec(p)?.[1]);
  if (parts.some((p) => p === undefined)) return 'unsupported';
  return parts.length > MAX_FILTERED_IDS ? 'too-many' : (parts as string[]);
}

export function directoryDeltaHandlers(school: DemoSchool, options: DirectoryDeltaOptions): HttpHandler[] {
  const changes = new DirectoryChanges(school);
  const now = options.now ?? (() => Date.now());

  function delta(request: Request, kind: 'users' | 'groups'): Response {
    const url = new URL(request.url);
    const params = url.searchParams;
    // A round's pages serve the snapshot its first request saw: look at the model only then (at
    // 50,000 people a look costs a few hundred milliseconds; every page would cost that again).
    if (!params.has('$skiptoken')) changes.observe(kind);
    const fresh = `${url.origin}${url.pathname}`;
    // user-delta.md and group-delta.md document only $select and `$filter=id eq` (and, for groups,
    // `$expand=members`, delta-query-groups.md); the overview refuses $top, $orderby and (users)
    // $expand. $search and $count are not among them: refused as Graph does, not ignored.
    for (const unsupported of ['$top', '$orderby', '$search', '$count', ...(kind === 'users' ? ['$expand'] : [])])
      if (params.has(unsupported))
        return graphError(400, 'Request_UnsupportedQuery', `Unsupported query option '${unsupported}' for the delta function (delta-query-overview.md).`);
    const skip = params.get('$skiptoken');
    // An empty $deltatoken is the initial query (the Location of a synchronization reset).
    const deltaToken = params.get('$deltatoken') || null;
    let state: TokenState;
    if (skip !== null || (deltaToken !== null && deltaToken !== 'latest')) {
      if (skip !== null && params.has('$select'))
        return graphError(400, 'Request_BadRequest', 'Delta queries with both $select and $skipToken are not supported.');
      const decoded = decode((skip ?? deltaToken)!);
      if (!decoded) return graphError(400, 'Request_BadRequest', 'The state token is not valid.');
      if (decoded.kind !== kind) return graphError(400, 'Request_BadRequest', `The state token was not issued for ${kind}/delta.`);
      // delta-query-overview.md, "Synchronization reset": 410 and a Location "containing a request
      // URL with an empty $deltaToken (same as the initial query)": the token's own query again.
      const restart = initialQuery(fresh, decoded);
      if (decoded.epoch !== options.epoch())
        return graphError(410, 'resyncRequired', 'Resync required: start again with a full synchronization.', { Location: restart });
      // Token duration: seven days for directory objects, then a 40X with syncStateNotFound.
      if (now() - decoded.issuedAt > DIRECTORY_DELTA_TOKEN_MS)
        return graphError(410, 'syncStateNotFound', 'The sync state is not found: the delta token has expired.', { Location: restart });
      state =
        skip !== null
          ? decoded
          : {
              ...decoded,
              since: decoded.upTo,
              upTo: changes.version,
              issuedAt: now(),
              ...(params.has('$select') ? { select: splitSelect(params.get('$select')!) } : {}),
              after: undefined,
              memberOffset: undefined,
            };
    } else {
      let ids: string[] | null = null;
      const filter = params.get('$filter');
      if (filter) {
        const parsed = filteredIds(filter);
        if (parsed === 'unsupported') return graphError(400, 'Request_UnsupportedQuery', 'Only id eq filters are supported for the delta function.');
        if (parsed === 'too-many') return graphError(400, 'Request_UnsupportedQuery', `At most ${MAX_FILTERED_IDS} ids may be filtered.`);
        ids = parsed;
      }
      const expand = params.get('$expand');
      if (expand !== null && expand.trim() !== 'members') return graphError(400, 'Request_UnsupportedQuery', `Unsupported $expand '${expand}'.`);
      let select = params.has('$select') ? splitSelect(params.get('$select')!) : null;
      // delta-query-groups.md: `$expand=members` also tracks membership.
      if (expand && select && !select.includes('members')) select = [...select, 'members'];
      const base = { kind, select, ids, epoch: options.epoch(), issuedAt: now(), upTo: changes.version };
      // Sync from now: `$deltatoken=latest` gives the delta link and no objects.
      if (deltaToken === 'latest') return page(fresh, [], { '@odata.deltaLink': `${fresh}?$deltatoken=${encode({ ...base, since: base.upTo })}` });
      state = { ...base, since: -1 };
    }
    return kind === 'users' ? usersPage(fresh, state) : groupsPage(fresh, state);
  }

  const inRound = (v: number, s: TokenState) => v > s.since && v <= s.upTo;
  const wanted = (id: string, s: TokenState) => !s.ids || s.ids.includes(id);

  function usersPage(fresh: string, s: TokenState): Response {
    const entries: Json[] = [];
    const ids = changes.order().users;
    for (let i = s.after === undefined ? 0 : firstAfter(ids, s.after); i < ids.length; i++) {
      const id = ids[i]!;
      const t = changes.users.get(id)!;
      if (!wanted(id, s)) continue;
      // delta-query-users.md: with no $select every property is tracked; the default set is returned.
      const entry = objectEntry(id, t, s.select ?? [...t.props.keys()], s.select ?? USER_DEFAULT, s, false, 'changed');
      if (entry) entries.push(entry);
      if (entries.length === PAGE_WEIGHT) break;
    }
    return finish(fresh, s, entries, entries.length === PAGE_WEIGHT ? { after: String(entries.at(-1)!.id), memberOffset: 0 } : undefined);
  }

  function groupsPage(fresh: string, s: TokenState): Response {
    const withMembers = !s.select || s.select.includes('members');
    const entries: Json[] = [];
    let weight = 0;
    let cursor: { after: string; memberOffset: number } | undefined;
    for (const id of changes.order().groups) {
      const t = changes.groups.get(id)!;
      if ((s.after !== undefined && id < s.after) || !wanted(id, s)) continue;
      // The cursor names the last group served and how many of its members (0: all of them).
      const start = id === s.after ? (s.memberOffset ?? 0) : 0;
      if (id === s.after && start === 0) continue;
      const memberChanges = withMembers && t.removed === undefined ? membersInRound(id, s) : [];
      const fields = (s.select ?? [...t.props.keys()]).filter((f) => f !== 'members');
      // delta-query-overview.md: "Updated instances are represented by their id with at least the
      // properties that have been updated, but additional properties may be included": a change of
      // members alone comes as the id and members@delta for some groups, with every selected
      // property for others (delta-query-groups.md's example), so a client must handle both.
      const membersOnly =
        s.since >= 0 &&
        t.removed === undefined &&
        memberChanges.length > 0 &&
        !inRound(t.created, s) &&
        !fields.some((f) => inRound(t.props.get(f)?.version ?? -1, s)) &&
        answersWithIdAlone(id);
      const entry = membersOnly ? { id } : objectEntry(id, t, fields, fields, s, memberChanges.length > 0, restorable(t) ? 'changed' : 'deleted');
      if (!entry) continue;
      // A large group fills one entry per chunk of its members, repeated with the same properties.
      let offset = start;
      do {
        const chunk = memberChanges.slice(offset, offset + MEMBERS_PER_ENTRY);
        entries.push(chunk.length ? { ...entry, 'members@delta': chunk } : entry);
        offset += chunk.length;
        weight += 1 + chunk.length;
        if (weight >= PAGE_WEIGHT) {
          cursor = { after: id, memberOffset: offset < memberChanges.length ? offset : 0 };
          break;
        }
      } while (offset < memberChanges.length);
      if (cursor) break;
    }
    return finish(fresh, s, entries, cursor);
  }

  // A large group's members are served over many pages of one round: worked out once for it.
  let lastMembers: { key: string; out: Json[] } | undefined;
  function membersInRound(groupId: string, s: TokenState): Json[] {
    const key = `${groupId} ${s.since} ${s.upTo}`;
    if (lastMembers?.key !== key) lastMembers = { key, out: computeMembers(groupId, s) };
    return lastMembers.out;
  }

  function computeMembers(groupId: string, s: TokenState): Json[] {
    const out: Json[] = [];
    const inThisRound = [...(changes.members.get(groupId) ?? [])].filter(([, m]) => (s.since < 0 ? !m.removed && m.version <= s.upTo : inRound(m.version, s)));
    for (const [id, m] of inThisRound.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const type = `#microsoft.graph.${m.type}`;
      if (s.since < 0) {
        // The first round is the membership as of the round's snapshot.
        if (!m.removed && m.version <= s.upTo) out.push({ '@odata.type': type, id });
      } else if (inRound(m.version, s)) {
        // delta-query-groups.md: a member removed from the group carries @removed.
        out.push(m.removed ? { '@odata.type': type, id, '@removed': { reason: 'deleted' } } : { '@odata.type': type, id });
      }
    }
    return out;
  }

  /** The object as this round reports it, or undefined when it has nothing to report. */
  function objectEntry(
    id: string,
    t: Tracked,
    tracked: string[],
    returned: string[],
    s: TokenState,
    membersChanged: boolean,
    removedReason: 'changed' | 'deleted',
  ): Json | undefined {
    const firstRound = s.since < 0;
    // Existed at the snapshot: created by then, and not yet removed by then.
    const existedAtSnapshot = t.created <= s.upTo && (t.removed === undefined || t.removed > s.upTo);
    if (firstRound) {
      if (!existedAtSnapshot) return undefined;
      return selected(id, t, returned);
    }
    if (t.removed !== undefined && inRound(t.removed, s)) {
      // Created and removed within the round: the client never knew it.
      if (t.created > s.since) return undefined;
      // delta-query-overview.md: `changed` "indicates the item was deleted and can be restored
      // from deletedItems", `deleted` that it cannot: a user is restorable, a group only when it is
      // a Microsoft 365 group (the caller says which).
      return { id, '@removed': { reason: removedReason } };
    }
    if (!existedAtSnapshot) return undefined;
    const changed = inRound(t.created, s) || tracked.some((f) => inRound(t.props.get(f)?.version ?? -1, s)) || membersChanged;
    return changed ? selected(id, t, returned) : undefined;
  }

  function selected(id: string, t: Tracked, fields: string[]): Json {
    const out: Json = { id };
    // "If the property has never been set before it will not be included in the response at all."
    for (const f of fields) if (f !== 'id' && t.props.has(f)) out[f] = restore(t.props.get(f)!.value);
    return out;
  }

  function finish(fresh: string, s: TokenState, value: Json[], cursor: { after: string; memberOffset: number } | undefined): Response {
    if (cursor) return page(fresh, value, { '@odata.nextLink': `${fresh}?$skiptoken=${encode({ ...s, ...cursor })}` });
    const next: TokenState = { ...s, since: s.upTo, after: undefined, memberOffset: undefined };
    return page(fresh, value, { '@odata.deltaLink': `${fresh}?$deltatoken=${encode(next)}` });
  }

  function page(fresh: string, value: Json[], link: Json): Response {
    const context = `${fresh.replace(/\/v1\.0\/.*$/, '/v1.0')}/$metadata#${fresh.includes('/users/') ? 'users' : 'groups'}`;
    return HttpResponse.json({ '@odata.context': context, ...link, value });
  }

  // Registered before `/users/:id` and `/groups/:id`, which would otherwise take `delta` for an id.
  return [http.get('*/v1.0/users/delta', ({ request }) => delta(request, 'users')), http.get('*/v1.0/groups/delta', ({ request }) => delta(request, 'groups'))];
}

/** The groups whose change of members alone the demo reports as the id and members@delta (half of them, by id). */
export const answersWithIdAlone = (groupId: string): boolean => parseInt(groupId.slice(-1), 16) % 2 === 0;

/**
 * Deleted items keep users and Microsoft 365 groups ("Unified" in groupTypes) for 30 days;
 * security groups "are deleted permanently" (directory-deleteditems-restore.md).
 */
function restorable(t: Tracked): boolean {
  const types = restore(t.props.get('groupTypes')?.value);
  return Array.isArray(types) && types.includes('Unified');
}

/** The first request of a round, as the token's query had it: its $select and $filter, an empty $deltatoken. */
function initialQuery(fresh: string, s: TokenState): string {
  const parts = ['$deltatoken='];
  if (s.select) parts.push(`$select=${s.select.join(',')}`);
  if (s.ids) parts.push(`$filter=${s.ids.map((id) => `id eq '${id}'`).join(' or ')}`);
  return `${fresh}?${parts.join('&')}`;
}

function splitSelect(select: string): string[] {
  return select
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

/** The index of the first id after `after` in sorted `ids` (binary search). */
function firstAfter(ids: readonly string[], after: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A value to compare cheaply: a primitive itself, anything else as JSON text marked as such. */
const JSON_MARK = '\u0000json:';
function snapshot(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON_MARK + JSON.stringify(value) : value;
}
function restore(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith(JSON_MARK) ? JSON.parse(value.slice(JSON_MARK.length)) : value;
}
