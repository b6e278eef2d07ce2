import { getResponse, http, HttpResponse, type HttpHandler } from 'msw';
import { graphError, listResponse, singleResponse } from './odata';
import { DEMO_APP_ID } from '../graph/graph-auth';
import { appIdOf, MAIL_SEND, permissionsFor, rolesOf } from '../graph/permissions';
import { directoryDeltaHandlers } from './directory-delta-handlers';
import { meetingHandlers, onlineMeetingJson, type DemoMeetings } from './meeting-handlers';
import { auditLogHandlers, type DemoAuditLog, type InboxRuleChannel } from './audit-log-handlers';
import type { DemoDrive, DemoDriveItem, DemoGroup, DemoInboxRule, DemoSchool, DemoUser } from './school-model';
import { ThrottleControl } from './throttle-control';
import { serviceOf } from '../graph/published-limits';
import { schemaCheck, type RecordedGraphRequest } from './schema-check';
import { asGraph, type Graph } from '../graph/graph-types';

/**
 * A simulated Microsoft Graph v1.0 serving the demo school. The same handlers run under msw/node in
 * tests and behind a real HTTP server for the demo (see demo-tenant-server.ts).
 */
export interface DemoTenant {
  school: DemoSchool;
  handlers: HttpHandler[];
  throttle: ThrottleControl;
  stats: { requests: number; batches: number; batchMembers: number };
  /** Every distinct Graph request received, with the schema's refusal if any (the conformance test reads it). */
  recorded: RecordedGraphRequest[];
  /** Changes a drive item's sharing as a person would; drive delta and the unified audit log then report it. */
  changeSharing(driveId: string, itemId: string, change: (item: DemoDriveItem) => void): void;
  /**
   * Changes a mailbox's inbox rules as a person would: in Outlook (audited as UpdateInboxRules), in
   * Outlook on the web (New-/Set-/Remove-InboxRule run as the owner, naming the mailbox as Exchange
   * does), or as an administrator with Exchange PowerShell (the cmdlets with -Mailbox). Unsaid, a
   * person uses Outlook and Outlook on the web in turn.
   */
  changeInboxRules(userId: string, change: (rules: DemoInboxRule[]) => void, how?: InboxRuleChannel): void;
  /** The unified audit log the changes above are recorded in (Graph's Audit Log Query API serves it). */
  auditLog: DemoAuditLog;
  /** Deletes a drive item (and what is in it) as a person would: delta reports it with a `deleted` facet. */
  deleteItem(driveId: string, itemId: string): void;
  /** Every delta link issued so far stops working (410 Gone): SharePoint's after a while, the directory's on a sync reset. */
  expireDeltaLinks(): void;
  /** People's own meetings and recordings, with the change notifications they cause. */
  meetings: DemoMeetings;
}

type Json = Record<string, unknown>;
const V = '*/v1.0';
/** Marks a request made for a batch member, so it is not counted as an HTTP request of its own. */
const BATCH_MEMBER = 'x-demo-batch-member';

export function userJson(u: DemoUser): Graph.User {
  const { role: _role, primaryRole: _p, managerId: _m, driveProvisioned: _d, birthDate: _b, ...graph } = u;
  return asGraph<Graph.User>()({ '@odata.type': '#microsoft.graph.user', ...graph });
}

const CARER_NAMES = ['Sarah', 'Alex', 'Chris', 'Jo', 'Pat', 'Sam', 'Robin'];

/** Each demo student has one parent with an email address (as School Data Sync would provide). */
function parentsOf(u: DemoUser): Graph.RelatedContact[] {
  const n = [...u.id].reduce((a, c) => a + c.charCodeAt(0), 0);
  const given = u.givenName === 'Jamie' && u.surname === 'Brown' ? 'Sarah' : CARER_NAMES[n % CARER_NAMES.length]!;
  const local = u.userPrincipalName.split('@')[0]!.replace(/\./g, '-');
  return [{ displayName: `${given} ${u.surname}`, emailAddress: `parent-of-${local}@parents.example.net`, relationship: 'parent', accessConsent: true }];
}

export function groupJson(g: DemoGroup): Graph.Group {
  const { memberIds: _m, ownerIds: _o, kind: _k, ...graph } = g;
  return asGraph<Graph.Group>()({ '@odata.type': '#microsoft.graph.group', ...graph });
}

function driveJson(d: DemoDrive, userById: Map<string, DemoUser>): Graph.Drive {
  const owner = d.ownerUserId ? userById.get(d.ownerUserId) : undefined;
  return {
    id: d.id,
    name: d.name,
    driveType: d.driveType,
    // drive.md (baseItem): the library's URL, which its items' URLs begin with.
    webUrl: d.items.find((i) => i.parentId === null)!.webUrl,
    owner: owner ? { user: { id: owner.id, displayName: owner.displayName, email: owner.mail } } : { group: { displayName: d.name } },
  };
}

/**
 * A drive item as delta returns it. With `Prefer: hierarchicalsharing` (driveitem-delta.md,
 * "Scanning permissions hierarchies") sharing is returned only for the root of a permission
 * hierarchy and items with sharing of their own; the root, and an item whose sharing was removed,
 * carry an EMPTY `shared: {}` facet, which is not sharing.
 */
function itemJson(d: DemoDrive, item: DemoDriveItem, hierarchical: boolean): Json {
  const explicit = item.permissions.filter((p) => !p.inheritedFrom);
  const json: Json = {
    id: item.id,
    name: item.name,
    size: item.size,
    webUrl: item.webUrl,
    lastModifiedDateTime: item.lastModifiedDateTime,
    parentReference: item.parentId ? { driveId: d.id, id: item.parentId } : { driveId: d.id },
    ...(item.isFolder ? { folder: { childCount: d.items.filter((i) => i.parentId === item.id).length } } : { file: { mimeType: 'application/octet-stream' } }),
    ...(item.parentId === null ? { root: {} } : {}),
  };
  if (explicit.length) {
    const scope = explicit.some((p) => p.link?.scope === 'anonymous')
      ? 'anonymous'
      : explicit.some((p) => p.link?.scope === 'organization')
        ? 'organization'
        : 'users';
    json.shared = { scope };
  } else if (hierarchical && (item.parentId === null || item.sharingRemoved)) {
    json.shared = {};
  }
  if (item.sharingChanged) json['@microsoft.graph.sharedChanged'] = 'True';
  return json;
}

const ACCESS_DENIED = 'Access is denied. Check credentials and try again.';
/** What Graph answers when an Exchange application access policy excludes the mailbox. */
const RAOP_DENIED = 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.';

export function createDemoTenant(
  school: DemoSchool,
  options: {
    requireAuth?: boolean;
    exchangeAdmin?: boolean;
    /** The tenant's time (the unified audit log stamps records and queries with it); a benchmark passes its simulated one. */
    clock?: () => Date;
    /** How long an audit log query runs (audit-log-handlers.ts); tests make it 0. */
    auditQueryRunsMs?: number;
  } = {},
): DemoTenant {
  const throttle = new ThrottleControl();
  const stats = { requests: 0, batches: 0, batchMembers: 0 };
  const recorded: RecordedGraphRequest[] = [];
  const requireAuth = options.requireAuth ?? true;
  // Delta tokens are `epoch.counter`: a token returns the items changed after the counter; a token
  // of an older epoch has expired.
  let changeVersion = 0;
  let deltaEpoch = 1;

  const userById = new Map<string, DemoUser>();
  for (const u of school.users) {
    userById.set(u.id, u);
    userById.set(u.userPrincipalName.toLowerCase(), u);
  }
  // A person added to the model later (a new starter in a test) is found by a scan; one removed
  // from it since start-up (deleted) is not found, as Graph answers 404 for a deleted user.
  const liveUser = (u: DemoUser | undefined) => (u && school.users.includes(u) ? u : undefined);
  const findUser = (idOrUpn: string) => {
    const key = decodeURIComponent(idOrUpn).toLowerCase();
    return liveUser(userById.get(key) ?? userById.get(idOrUpn)) ?? school.users.find((u) => u.id === key || u.userPrincipalName.toLowerCase() === key);
  };
  const groupById = new Map(school.groups.map((g) => [g.id, g]));
  // As for people: a group added to the model later is found by a scan, one removed from it since
  // start-up (deleted) is not found: group-delete.md moves a deleted Microsoft 365 group to a
  // temporary container (restorable for 30 days, read at /directory/deletedItems/{id},
  // directory-deleteditems-get.md) and deletes a security group for good; neither is a group any more.
  const findGroup = (id: string) => {
    const g = groupById.get(id);
    return g && school.groups.includes(g) ? g : school.groups.find((x) => x.id === id);
  };
  const driveById = new Map(school.drives.map((d) => [d.id, d]));
  const driveByOwner = new Map(school.drives.filter((d) => d.ownerUserId).map((d) => [d.ownerUserId!, d]));
  const personalSiteId = (d: DemoDrive) => `demoacademy-my.sharepoint.com,${d.id.slice(2, 38)},${d.rootId}`;
  const drivesByPersonalSite = new Map(
    school.drives
      .filter((d) => d.driveType === 'business' && d.ownerUserId && userById.get(d.ownerUserId)?.driveProvisioned !== false)
      .map((d) => [personalSiteId(d), d]),
  );
  // A deleted user is no member of anything (delta-query-groups.md: deleting the user object
  // removes the membership), though the model keeps their id in memberIds.
  // (One set of the living per listing: a large group is checked against it in linear time.)
  const members = (ids: string[]) => {
    const living = new Set<DemoUser>(school.users);
    return ids
      .map((id) => {
        const g = groupById.get(id) && findGroup(id);
        if (g) return g;
        const u = userById.get(id) ?? school.users.find((x) => x.id === id);
        return u && living.has(u) ? u : undefined;
      })
      .filter(Boolean)
      .map((x) => ('userType' in x! ? userJson(x as DemoUser) : groupJson(x as DemoGroup)));
  };

  // Order matters: the gate runs first for every request and falls through when it lets one pass.
  const gate = http.all(`${V}/*`, ({ request }) => {
    if (!request.headers.has(BATCH_MEMBER)) stats.requests += 1;
    const url = new URL(request.url);
    const throttled = throttle.decide(request.method, url.pathname.replace(/^.*\/v1\.0/, '') + url.search);
    if (throttled) {
      return graphError(429, 'TooManyRequests', 'Application is over its request limit.', {
        'Retry-After': String(throttled.retryAfterSeconds),
        ...throttled.headers,
      });
    }
    const authorization = request.headers.get('authorization') ?? '';
    if (requireAuth && !/^Bearer \S+/.test(authorization)) {
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    }
    // A token that names its application permissions (roles) gets exactly those, as in Graph; the
    // plain demo token gets every Entra permission. Mail.Send is Exchange's to decide (RBAC for
    // Applications grants it without a role in the token): the sendMail handler checks it.
    const token = authorization.replace(/^Bearer /, '');
    const roles = rolesOf(token);
    const path = url.pathname.replace(/^.*\/v1\.0/, '');
    if (roles && !request.url.includes('/$batch')) {
      const needs = permissionsFor(request.method, url.pathname, url.search);
      if (needs && !needs.includes(MAIL_SEND) && !needs.some((p) => roles.includes(p)))
        return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    const appId = appIdOf(token) ?? DEMO_APP_ID;
    // An Exchange application access policy limits Mail.*, MailboxSettings.* and Calendars.* for
    // the app id together (auth-limit-mailbox-access.md): other mailboxes answer 403.
    const mailboxUser = /^\/users\/([^/]+)\/(mailFolders|messages|sendMail|events|calendar|calendars|mailboxSettings)(\/|$)/.exec(path)?.[1];
    if (mailboxUser && !exchangePolicyAllows(appId, mailboxUser)) return graphError(403, 'ErrorAccessDenied', RAOP_DENIED);
    // Online meetings: a Teams application access policy must cover the organiser
    // (cloud-communication-online-meeting-application-access-policy.md), else 403 for that organiser only.
    const organiser = /^\/users\/([^/]+)\/onlineMeetings(\/|$)/.exec(path)?.[1];
    if (organiser && !teamsPolicyCovers(organiser)) return graphError(403, 'General', 'No application access policy found for this app.');
    return undefined;
  });

  function exchangePolicyAllows(appId: string, idOrUpn: string): boolean {
    const policies = school.exchange.applicationAccessPolicies.filter((p) => p.AppId === appId);
    if (policies.length === 0) return true;
    const u = findUser(idOrUpn);
    if (!u) return true;
    return policies.every((p) => (p.AccessRight === 'RestrictAccess' ? p.scopeMemberIds.includes(u.id) : !p.scopeMemberIds.includes(u.id)));
  }

  function teamsPolicyCovers(idOrUpn: string): boolean {
    const u = findUser(idOrUpn);
    return school.teamsAppAccessPolicy.global || (!!u && school.teamsAppAccessPolicy.organizerIds.includes(u.id));
  }

  /** Exchange RBAC for Applications: a role assigned to the app whose management scope holds the mailbox. */
  function rbacAllows(appId: string, role: string, mailboxId: string): boolean {
    const { rbac } = school.exchange;
    if (!rbac.servicePrincipals.some((sp) => sp.AppId === appId)) return false;
    return rbac.roleAssignments.some(
      (a) =>
        a.App === appId &&
        a.Role === role &&
        (a.CustomResourceScope === null || rbac.managementScopes.some((s) => s.Name === a.CustomResourceScope && s.memberIds.includes(mailboxId))),
    );
  }

  function driveDelta(request: Request, d: DemoDrive): Response {
    const url = new URL(request.url);
    const fresh = new URL(url);
    fresh.searchParams.delete('token');
    fresh.searchParams.delete('$skiptoken');
    const deltaLink = new URL(fresh);
    deltaLink.searchParams.set('token', `${deltaEpoch}.${changeVersion}`);
    const token = url.searchParams.get('token');
    // A delta link the service can no longer serve: 410 Gone, a resync code and a Location to
    // start a fresh enumeration (driveitem-delta.md, Example 2).
    if (token !== null && token !== 'latest' && !token.startsWith(`${deltaEpoch}.`)) {
      return graphError(410, 'resyncChangesApplyDifferences', "Resync required. Replace any local items with the server's version (including deletes).", {
        Location: fresh.toString(),
      });
    }
    const since = token === null ? -1 : token === 'latest' ? changeVersion : Number(token.split('.')[1]);
    const prefer = request.headers.get('prefer') ?? '';
    const hierarchical = /\bhierarchicalsharing\b/i.test(prefer);
    // driveitem-delta.md: "to process permissions correctly your application will need to request
    // Sites.FullControl.All": without it, an item changed only in its sharing is not reported.
    const roles = rolesOf((request.headers.get('authorization') ?? '').replace(/^Bearer /, ''));
    const seesSharingChanges = !roles || roles.includes('Sites.FullControl.All');
    const items = d.items
      .filter((i) => (i.changeVersion ?? 0) > since)
      .filter((i) => since < 0 || seesSharingChanges || !i.sharingChanged)
      .map((i) => itemJson(d, i, hierarchical));
    // driveitem-delta.md: a deleted item comes with the `deleted` facet; a fresh enumeration (a
    // first round, or the resync after a 410) lists only what exists, so it does not name them.
    if (since >= 0) {
      for (const x of d.deletedItems ?? []) {
        if (x.changeVersion > since)
          items.push({ id: x.id, deleted: { state: 'deleted' }, parentReference: x.parentId ? { driveId: d.id, id: x.parentId } : { driveId: d.id } });
      }
    }
    return listResponse(request, items, { defaultPageSize: 200, lastPage: { '@odata.deltaLink': deltaLink.toString() } });
  }

  const meetings = meetingHandlers(school, findUser);
  const audit = auditLogHandlers(school, {
    clock: options.clock ?? (() => new Date()),
    ...(options.auditQueryRunsMs !== undefined ? { queryRunsMs: options.auditQueryRunsMs } : {}),
  });
  const handlers: HttpHandler[] = [
    gate,
    schemaCheck(recorded, (request) => request.headers.has(BATCH_MEMBER)),

    // $batch: up to 20 members, each dispatched through these same handlers and throttled on its own.
    http.post(/\/v1\.0\/\$batch$/, async ({ request }) => {
      stats.batches += 1;
      const body = (await request.json().catch(() => null)) as {
        requests?: Array<{ id: string; method: string; url: string; headers?: Record<string, string>; body?: unknown }>;
      } | null;
      const requests = body?.requests;
      if (!Array.isArray(requests) || requests.length === 0) return graphError(400, 'BadRequest', 'Batch request must contain requests.');
      if (requests.length > 20) return graphError(400, 'BadRequest', 'Batch request cannot contain more than 20 requests.');
      const origin = new URL(request.url).origin;
      const responses = await Promise.all(
        requests.map(async (member) => {
          stats.batchMembers += 1;
          const memberUrl = `${origin}/v1.0${member.url.startsWith('/') ? '' : '/'}${member.url}`;
          const init: RequestInit = {
            method: member.method,
            headers: { authorization: request.headers.get('authorization') ?? '', [BATCH_MEMBER]: '1', ...(member.headers ?? {}) },
            ...(member.body !== undefined ? { body: JSON.stringify(member.body) } : {}),
          };
          const res = (await getResponse(handlers, new Request(memberUrl, init))) ?? graphError(404, 'NotFound', `No route for ${member.url}`);
          const text = await res.text();
          const headers: Record<string, string> = {};
          res.headers.forEach((v, k) => (headers[k] = v));
          // SharePoint's RateLimit-* once the app has spent 80% of its minute's units (throttle-limits.ts).
          if (res.status !== 429 && throttle.limits && serviceOf(member.url).service === 'sharepoint')
            Object.assign(headers, throttle.limits.rateLimitHeaders());
          return { id: member.id, status: res.status, headers, body: text ? JSON.parse(text) : null };
        }),
      );
      return HttpResponse.json({ responses });
    }),

    // Organisation and tenant settings.
    http.get(`${V}/organization`, ({ request }) => listResponse(request, [asGraph<Graph.Organization>()(school.settings.organization)])),
    http.get(`${V}/subscribedSkus`, ({ request }) =>
      listResponse(
        request,
        school.settings.subscribedSkus.map((s) => asGraph<Graph.SubscribedSku>()({ id: s.skuId, ...s })),
      ),
    ),
    http.get(`${V}/admin/sharepoint/settings`, () => HttpResponse.json(asGraph<Graph.SharepointSettings>()({ ...school.settings.sharepoint }))),
    http.get(`${V}/policies/authorizationPolicy`, () =>
      HttpResponse.json(asGraph<Graph.AuthorizationPolicy>()({ id: 'authorizationPolicy', ...school.settings.authorizationPolicy })),
    ),
    http.get(`${V}/policies/crossTenantAccessPolicy/default`, () =>
      HttpResponse.json(asGraph<Graph.CrossTenantAccessPolicyConfigurationDefault>()({ isServiceDefault: true, ...school.settings.crossTenantDefault })),
    ),

    // Directory delta (users, groups and their members): before /users/:id, which would take `delta` for an id.
    ...directoryDeltaHandlers(school, { epoch: () => deltaEpoch }),

    // Users and the Education API.
    http.get(`${V}/users`, ({ request }) => listResponse(request, school.users.map(userJson))),
    http.get(`${V}/users/:id`, ({ request, params }) => singleResponse(request, maybe(findUser(String(params.id)), userJson), 'User')),
    http.get(`${V}/users/:id/manager`, ({ request, params }) => {
      const manager = findUser(String(params.id))?.managerId;
      return singleResponse(request, maybe(manager ? findUser(manager) : undefined, userJson), 'Manager');
    }),
    http.get(`${V}/users/:id/memberOf`, ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u) return graphError(404, 'Request_ResourceNotFound', 'User does not exist.');
      return listResponse(request, school.groups.filter((g) => g.memberIds.includes(u.id)).map(groupJson));
    }),
    http.get(`${V}/education/users/:id`, ({ request, params }) => {
      const u = findUser(String(params.id));
      const student = u?.primaryRole === 'student' ? { student: { birthDate: u.birthDate ?? null }, relatedContacts: parentsOf(u) } : {};
      return singleResponse(
        request,
        u && u.userType === 'Member'
          ? asGraph<Graph.EducationUser>()({ id: u.id, displayName: u.displayName, primaryRole: u.primaryRole, ...student })
          : undefined,
        'Education user',
      );
    }),

    // The app installs itself for a person so its bot can message them.
    http.post(`${V}/users/:id/teamwork/installedApps`, async ({ params }) => {
      const u = findUser(String(params.id));
      if (!u || u.userType !== 'Member') return graphError(404, 'NotFound', 'User not found');
      if (school.appInstalledFor.has(u.id)) return graphError(409, 'Conflict', 'App is already installed for this user.');
      school.appInstalledFor.add(u.id);
      return new HttpResponse(null, { status: 201 });
    }),

    // Mail.Send: the app's email to people outside Teams. Kept in the outbox for the demo to show.
    // Who may send: an Entra Mail.Send role in the token (tenant-wide, narrowed only by an application
    // access policy), or Exchange RBAC for Applications ("Application Mail.Send" on a management scope
    // holding the mailbox). Neither: 403 ErrorAccessDenied, as Exchange answers.
    http.post(`${V}/users/:id/sendMail`, async ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u) return graphError(404, 'ErrorInvalidUser', `The requested user '${String(params.id)}' is invalid.`);
      const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      const entraGrant = (rolesOf(token) ?? []).includes(MAIL_SEND);
      if (!entraGrant && !rbacAllows(appIdOf(token) ?? DEMO_APP_ID, 'Application Mail.Send', u.id)) return graphError(403, 'ErrorAccessDenied', ACCESS_DENIED);
      const body = (await request.json().catch(() => null)) as {
        message?: { subject?: string; body?: { content?: string }; toRecipients?: Array<{ emailAddress?: { address?: string } }> };
      } | null;
      const to = (body?.message?.toRecipients ?? []).map((r) => r.emailAddress?.address).filter((a): a is string => !!a);
      if (!body?.message || to.length === 0) return graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
      school.outbox.push({ from: u.mail, to, subject: body.message.subject ?? '', body: body.message.body?.content ?? '', at: new Date().toISOString() });
      return new HttpResponse(null, { status: 202 });
    }),

    // Groups and teams.
    http.get(`${V}/groups`, ({ request }) => listResponse(request, school.groups.map(groupJson))),
    http.get(`${V}/groups/:id`, ({ request, params }) => singleResponse(request, maybe(findGroup(String(params.id)), groupJson), 'Group')),
    http.get(`${V}/groups/:id/members`, ({ request, params }) => {
      const g = findGroup(String(params.id));
      return g ? listResponse(request, members(g.memberIds)) : graphError(404, 'Request_ResourceNotFound', 'Group does not exist.');
    }),
    http.get(`${V}/groups/:id/transitiveMembers`, ({ request, params }) => {
      const g = findGroup(String(params.id));
      return g ? listResponse(request, members(g.memberIds)) : graphError(404, 'Request_ResourceNotFound', 'Group does not exist.');
    }),
    http.get(`${V}/groups/:id/owners`, ({ request, params }) => {
      const g = findGroup(String(params.id));
      return g ? listResponse(request, members(g.ownerIds)) : graphError(404, 'Request_ResourceNotFound', 'Group does not exist.');
    }),
    http.get(`${V}/groups/:id/drive`, ({ params }) => {
      const site = school.sites.find((s) => s.groupId === String(params.id));
      const d = site && driveById.get(site.driveIds[0]!);
      return d ? HttpResponse.json(driveJson(d, userById)) : graphError(404, 'itemNotFound', 'The group has no drive.');
    }),

    // Mail: inbox rules (MailboxSettings.Read).
    http.get(`${V}/users/:id/mailFolders/inbox/messageRules`, ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u || u.userType === 'Guest')
        return graphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
      return listResponse(request, (school.inboxRules.get(u.id) ?? []).map(asGraph<Graph.MessageRule>()));
    }),

    // Files: sites, drives, delta, permissions.
    // Every site collection, OneDrives (personal sites) included (site-getallsites.md).
    http.get(`${V}/sites/getAllSites`, ({ request }) =>
      listResponse(
        request,
        [
          ...school.sites.map(({ driveIds: _d, groupId: _g, ...s }) => ({
            ...s,
            isPersonalSite: false,
            siteCollection: { hostName: 'demoacademy.sharepoint.com' },
          })),
          // A OneDrive never opened has no personal site yet.
          ...school.drives
            .filter((d) => d.driveType === 'business' && (!d.ownerUserId || userById.get(d.ownerUserId)?.driveProvisioned !== false))
            .map((d) => ({
              id: personalSiteId(d),
              displayName: 'OneDrive',
              name: 'OneDrive',
              webUrl: d.items[0]!.webUrl.replace(/\/Documents$/, ''),
              isPersonalSite: true,
              siteCollection: { hostName: 'demoacademy-my.sharepoint.com' },
            })),
        ],
        { defaultPageSize: 200 },
      ),
    ),
    // Site search (site-search.md) goes through the search index: it lags behind new sites, so an
    // enumeration must not rely on it. The demo's index has not yet seen the newest team site.
    http.get(`${V}/sites`, ({ request }) =>
      listResponse(
        request,
        school.sites.slice(0, -1).map(({ driveIds: _d, groupId: _g, ...s }) => s),
      ),
    ),
    http.get(`${V}/sites/:siteId/drives`, ({ request, params }) => {
      const site = school.sites.find((s) => s.id === String(params.siteId));
      if (!site) return graphError(404, 'itemNotFound', 'Site not found.');
      return listResponse(
        request,
        site.driveIds.map((id) => driveJson(driveById.get(id)!, userById)),
      );
    }),
    http.get(`${V}/users/:id/drive`, ({ params }) => {
      const u = findUser(String(params.id));
      const d = u && u.driveProvisioned ? driveByOwner.get(u.id) : undefined;
      return d ? HttpResponse.json(driveJson(d, userById)) : graphError(404, 'ResourceNotFound', "User's mysite not found.");
    }),
    http.get(`${V}/drives/:driveId/root/delta`, ({ request, params }) => {
      const d = driveById.get(String(params.driveId));
      if (!d) return graphError(404, 'itemNotFound', 'Drive not found.');
      return driveDelta(request, d);
    }),
    // A site's default library by the site (driveitem-delta.md, `GET /sites/{siteId}/drive/root/delta`):
    // for a personal site, its owner's OneDrive.
    http.get(`${V}/sites/:siteId/drive/root/delta`, ({ request, params }) => {
      const id = String(params.siteId);
      const d = drivesByPersonalSite.get(id) ?? driveById.get(school.sites.find((s) => s.id === id)?.driveIds[0] ?? '');
      if (!d) return graphError(404, 'itemNotFound', 'Site not found.');
      return driveDelta(request, d);
    }),
    // A user's OneDrive by its owner: one call finds the drive and reads it (driveitem-delta.md,
    // `GET /users/{userId}/drive/root/delta`); a OneDrive never opened answers 404 as /drive does.
    http.get(`${V}/users/:id/drive/root/delta`, ({ request, params }) => {
      const u = findUser(String(params.id));
      const d = u && u.driveProvisioned ? driveByOwner.get(u.id) : undefined;
      if (!d) return graphError(404, 'ResourceNotFound', "User's mysite not found.");
      return driveDelta(request, d);
    }),
    // A site's default library (drive-get.md, `GET /sites/{siteId}/drive`): a OneDrive by its personal site.
    http.get(`${V}/sites/:siteId/drive`, ({ request, params }) => {
      const id = String(params.siteId);
      const d = drivesByPersonalSite.get(id) ?? driveById.get(school.sites.find((s) => s.id === id)?.driveIds[0] ?? '');
      return d ? singleResponse(request, driveJson(d, userById)) : graphError(404, 'itemNotFound', 'Site not found.');
    }),
    // An item by its path from the library's root (driveitem-get.md, `GET /drives/{drive-id}/root:/{item-path}`;
    // concepts/onedrive/addressing-driveitems.md: the path is segment-encoded, an optional ':' closes it).
    // Not a delta: the `shared` facet says whether the item has sharing of its own now.
    http.get(/\/v1\.0\/drives\/([^/]+)\/root:\/([^:?]+):?$/, ({ request }) => {
      const [, driveId = '', rawPath = ''] = /\/drives\/([^/]+)\/root:\/([^:?]+)/.exec(new URL(request.url).pathname) ?? [];
      const d = driveById.get(decodeURIComponent(driveId));
      if (!d) return graphError(404, 'itemNotFound', 'Drive not found.');
      let item: DemoDriveItem | undefined = d.items.find((i) => i.parentId === null);
      for (const name of rawPath.split('/').filter(Boolean).map(decodeURIComponent)) {
        item = d.items.find((i) => i.parentId === item?.id && i.name.toLowerCase() === name.toLowerCase());
        if (!item) return graphError(404, 'itemNotFound', 'The resource could not be found.');
      }
      // `@microsoft.graph.sharedChanged` is delta's annotation, not an item's.
      const { '@microsoft.graph.sharedChanged': _changed, ...json } = itemJson(d, item!, false);
      return singleResponse(request, json, 'Item');
    }),
    http.get(`${V}/drives/:driveId/items/:itemId/permissions`, ({ request, params }) => {
      const d = driveById.get(String(params.driveId));
      const item = d?.items.find((i) => i.id === String(params.itemId));
      if (!d || !item) return graphError(404, 'itemNotFound', 'Item not found.');
      const owner = d.ownerUserId ? userById.get(d.ownerUserId) : undefined;
      const ownerPermission = owner
        ? [{ id: 'owner', roles: ['owner'], grantedToV2: { user: { id: owner.id, email: owner.mail, displayName: owner.displayName } } }]
        : [];
      return listResponse(request, [...ownerPermission, ...item.permissions] as unknown as Json[]);
    }),

    // Calendars and online meetings.
    http.get(`${V}/users/:id/events`, ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u) return graphError(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      return listResponse(
        request,
        school.events.filter((e) => e.calendarOwnerId === u.id).map(({ calendarOwnerId: _c, ...e }) => asGraph<Graph.Event>()(e)),
        { defaultPageSize: 10 },
      );
    }),
    http.get(`${V}/users/:id/onlineMeetings`, ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u) return graphError(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      const join = /JoinWebUrl eq '([^']+)'/i.exec(new URL(request.url).searchParams.get('$filter') ?? '')?.[1];
      if (!join) return graphError(400, 'BadRequest', 'Filter by JoinWebUrl is required.');
      const found = school.onlineMeetings.filter((m) => m.organizerUserId === u.id && m.joinWebUrl === join).map((m) => onlineMeetingJson(m, request));
      return HttpResponse.json({ value: found });
    }),
    http.get(`${V}/users/:id/onlineMeetings/:meetingId`, ({ request, params }) => {
      const m = school.onlineMeetings.find((x) => x.id === String(params.meetingId));
      return singleResponse(request, m && onlineMeetingJson(m, request), 'Online meeting');
    }),
    ...meetings.handlers,
    ...audit.handlers,

    // Exchange Online admin API (InvokeCommand): read-only cmdlets the audit needs.
    http.post('*/adminapi/beta/:tenantId/InvokeCommand', async ({ request, params }) => {
      if (!/^Bearer \S+/.test(request.headers.get('authorization') ?? '')) return graphError(401, 'Unauthorized', 'No token.');
      if (options.exchangeAdmin === false) return graphError(403, 'Forbidden', 'The app has no Exchange.ManageAsApp role.');
      if (String(params.tenantId) !== school.tenantId) return graphError(404, 'NotFound', 'Unknown organisation.');
      const input = ((await request.json().catch(() => ({}))) as { CmdletInput?: { CmdletName?: string; Parameters?: unknown } }).CmdletInput;
      switch (input?.CmdletName) {
        case 'Get-Mailbox':
          return listResponse(
            request,
            school.users
              .filter((u) => u.userType === 'Member')
              .map((u) => ({
                id: u.id,
                ExternalDirectoryObjectId: u.id,
                UserPrincipalName: u.userPrincipalName,
                ForwardingSmtpAddress: school.exchange.forwarding.get(u.id)?.ForwardingSmtpAddress ?? null,
                ForwardingAddress: school.exchange.forwarding.get(u.id)?.ForwardingAddress ?? null,
                DeliverToMailboxAndForward: school.exchange.forwarding.get(u.id)?.DeliverToMailboxAndForward ?? false,
              })),
            { defaultPageSize: 1000, maxPageSize: 1000 },
          );
        // A recipient by identity: what a ForwardingAddress names (Get-Recipient). A mail contact's
        // address is its ExternalEmailAddress; a mailbox's its PrimarySmtpAddress.
        case 'Get-Recipient': {
          const identity = String((input.Parameters as { Identity?: string } | undefined)?.Identity ?? '').toLowerCase();
          const contact = school.exchange.mailContacts.find((c) =>
            [c.Identity, c.DisplayName, c.ExternalDirectoryObjectId].some((x) => x.toLowerCase() === identity),
          );
          if (contact)
            return HttpResponse.json({
              value: [
                {
                  Identity: contact.Identity,
                  RecipientType: 'MailContact',
                  PrimarySmtpAddress: contact.ExternalEmailAddress.replace(/^smtp:/i, ''),
                  ExternalEmailAddress: contact.ExternalEmailAddress,
                  ExternalDirectoryObjectId: contact.ExternalDirectoryObjectId,
                },
              ],
            });
          const u = school.users.find((x) => [x.displayName, x.userPrincipalName, x.id, x.mail].some((v) => v.toLowerCase() === identity));
          if (u)
            return HttpResponse.json({
              value: [
                {
                  Identity: u.displayName,
                  RecipientType: 'UserMailbox',
                  PrimarySmtpAddress: u.mail,
                  ExternalEmailAddress: null,
                  ExternalDirectoryObjectId: u.id,
                },
              ],
            });
          return graphError(404, 'NotFound', `The operation couldn't be performed because object '${identity}' couldn't be found.`);
        }
        case 'Get-HostedOutboundSpamFilterPolicy':
          return HttpResponse.json({ value: school.exchange.outboundSpamPolicies });
        case 'Get-RemoteDomain':
          return HttpResponse.json({ value: school.exchange.remoteDomains });
        default:
          return graphError(400, 'BadRequest', `The demo tenant does not run ${input?.CmdletName ?? 'that cmdlet'}.`);
      }
    }),

    // Anything else under v1.0 is a route the demo tenant does not serve: say so, as Graph would.
    http.all(`${V}/*`, ({ request }) => graphError(400, 'BadRequest', `Resource not found for the segment in ${new URL(request.url).pathname}`)),
  ];

  const changeSharing = (driveId: string, itemId: string, change: (item: DemoDriveItem) => void) => {
    const item = driveById.get(driveId)?.items.find((i) => i.id === itemId);
    if (!item) throw new Error(`no drive item ${driveId}/${itemId}`);
    const before = item.permissions.map((p) => ({ ...p }));
    const hadOwn = before.some((p) => !p.inheritedFrom);
    change(item);
    item.changeVersion = ++changeVersion;
    item.sharingChanged = true;
    item.sharingRemoved = hadOwn && item.permissions.filter((p) => !p.inheritedFrom).length === 0;
    audit.auditLog.sharingChanged(driveById.get(driveId)!, item, before);
  };
  let ruleChanges = 0;
  const changeInboxRules = (userId: string, change: (rules: DemoInboxRule[]) => void, how: InboxRuleChannel = ruleChanges++ % 2 ? 'web' : 'outlook') => {
    const u = userById.get(userId);
    if (!u) throw new Error(`no user ${userId}`);
    const rules = school.inboxRules.get(u.id) ?? [];
    const before = rules.map((r) => structuredClone(r));
    change(rules);
    school.inboxRules.set(u.id, rules);
    audit.auditLog.inboxRulesChanged(u, before, rules, how);
  };
  const deleteItem = (driveId: string, itemId: string) => {
    const d = driveById.get(driveId);
    const item = d?.items.find((i) => i.id === itemId);
    if (!d || !item || item.parentId === null) throw new Error(`no drive item ${driveId}/${itemId} to delete`);
    const gone = new Set([itemId]);
    for (let grew = true; grew;) {
      grew = false;
      for (const i of d.items) if (i.parentId && gone.has(i.parentId) && !gone.has(i.id)) grew = !!gone.add(i.id);
    }
    for (const i of d.items.filter((x) => gone.has(x.id))) (d.deletedItems ??= []).push({ id: i.id, parentId: i.parentId, changeVersion: ++changeVersion });
    d.items = d.items.filter((i) => !gone.has(i.id));
  };
  const expireDeltaLinks = () => {
    deltaEpoch += 1;
  };

  return {
    school,
    handlers,
    throttle,
    stats,
    recorded,
    changeSharing,
    changeInboxRules,
    deleteItem,
    expireDeltaLinks,
    meetings: meetings.meetings,
    auditLog: audit.auditLog,
  };
}

function maybe<T, R>(value: T | undefined, fn: (v: T) => R): R | undefined {
  return value === undefined ? undefined : fn(value);
}
