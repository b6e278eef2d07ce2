import { getResponse, http, HttpResponse, type HttpHandler } from 'msw';
import { graphError, listResponse, singleResponse } from './odata';
import { permissionsFor, rolesOf } from '../graph/permissions';
import { meetingHandlers, onlineMeetingJson, type DemoMeetings } from './meeting-handlers';
import type { DemoDrive, DemoDriveItem, DemoGroup, DemoSchool, DemoUser } from './school-model';
import { ThrottleControl } from './throttle-control';

/**
 * A simulated Microsoft Graph v1.0 serving the demo school. The same handlers run under msw/node in
 * tests and behind a real HTTP server for the demo (see demo-tenant-server.ts).
 */
export interface DemoTenant {
  school: DemoSchool;
  handlers: HttpHandler[];
  throttle: ThrottleControl;
  stats: { requests: number; batches: number; batchMembers: number };
  /** Changes a drive item's sharing as a person would; drive delta then reports it. */
  changeSharing(driveId: string, itemId: string, change: (item: DemoDriveItem) => void): void;
  /** People's own meetings and recordings, with the change notifications they cause. */
  meetings: DemoMeetings;
}

type Json = Record<string, unknown>;
const V = '*/v1.0';
/** Marks a request made for a batch member, so it is not counted as an HTTP request of its own. */
const BATCH_MEMBER = 'x-demo-batch-member';

export function userJson(u: DemoUser): Json {
  const { role: _role, primaryRole: _p, managerId: _m, driveProvisioned: _d, birthDate: _b, ...graph } = u;
  return { '@odata.type': '#microsoft.graph.user', ...graph };
}

const CARER_NAMES = ['Sarah', 'Alex', 'Chris', 'Jo', 'Pat', 'Sam', 'Robin'];

/** Each demo student has one parent with an email address (as School Data Sync would provide). */
function parentsOf(u: DemoUser): Json[] {
  const n = [...u.id].reduce((a, c) => a + c.charCodeAt(0), 0);
  const given = u.givenName === 'Jamie' && u.surname === 'Brown' ? 'Sarah' : CARER_NAMES[n % CARER_NAMES.length]!;
  const local = u.userPrincipalName.split('@')[0]!.replace(/\./g, '-');
  return [{ displayName: `${given} ${u.surname}`, emailAddress: `parent-of-${local}@parents.example.net`, relationship: 'parent', accessConsent: true }];
}

export function groupJson(g: DemoGroup): Json {
  const { memberIds: _m, ownerIds: _o, kind: _k, ...graph } = g;
  return { '@odata.type': '#microsoft.graph.group', ...graph };
}

function driveJson(d: DemoDrive, userById: Map<string, DemoUser>): Json {
  const owner = d.ownerUserId ? userById.get(d.ownerUserId) : undefined;
  return {
    id: d.id,
    name: d.name,
    driveType: d.driveType,
    owner: owner ? { user: { id: owner.id, displayName: owner.displayName, email: owner.mail } } : { group: { displayName: d.name } },
  };
}

function itemJson(d: DemoDrive, item: DemoDriveItem): Json {
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
    const scope = explicit.some((p) => p.link?.scope === 'anonymous') ? 'anonymous' : explicit.some((p) => p.link?.scope === 'organization') ? 'organization' : 'users';
    json.shared = { scope };
    json['@microsoft.graph.sharedChanged'] = 'True';
  }
  return json;
}

export function createDemoTenant(school: DemoSchool, options: { requireAuth?: boolean; exchangeAdmin?: boolean } = {}): DemoTenant {
  const throttle = new ThrottleControl();
  const stats = { requests: 0, batches: 0, batchMembers: 0 };
  const requireAuth = options.requireAuth ?? true;
  // Delta tokens are this counter: a token returns the items changed after it.
  let changeVersion = 0;

  const userById = new Map<string, DemoUser>();
  for (const u of school.users) {
    userById.set(u.id, u);
    userById.set(u.userPrincipalName.toLowerCase(), u);
  }
  const findUser = (idOrUpn: string) => userById.get(decodeURIComponent(idOrUpn).toLowerCase()) ?? userById.get(idOrUpn);
  const groupById = new Map(school.groups.map((g) => [g.id, g]));
  const driveById = new Map(school.drives.map((d) => [d.id, d]));
  const driveByOwner = new Map(school.drives.filter((d) => d.ownerUserId).map((d) => [d.ownerUserId!, d]));
  const members = (ids: string[]) =>
    ids.map((id) => userById.get(id) ?? groupById.get(id)).filter(Boolean).map((x) => ('userType' in x! ? userJson(x as DemoUser) : groupJson(x as DemoGroup)));

  // Order matters: the gate runs first for every request and falls through when it lets one pass.
  const gate = http.all(`${V}/*`, ({ request }) => {
    if (!request.headers.has(BATCH_MEMBER)) stats.requests += 1;
    const url = new URL(request.url);
    const retryAfter = throttle.check(request.method, url.pathname.replace(/^.*\/v1\.0/, '') + url.search);
    if (retryAfter !== undefined) {
      return graphError(429, 'TooManyRequests', 'Application is over its request limit.', { 'Retry-After': String(retryAfter) });
    }
    const authorization = request.headers.get('authorization') ?? '';
    if (requireAuth && !/^Bearer \S+/.test(authorization)) {
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    }
    // A token that names its application permissions (roles) gets exactly those, as in Graph; the
    // plain demo token gets everything.
    const roles = rolesOf(authorization.replace(/^Bearer /, ''));
    if (roles && !request.url.includes('/$batch')) {
      const needs = permissionsFor(request.method, url.pathname, url.search);
      if (needs && !needs.some((p) => roles.includes(p))) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    return undefined;
  });

  const meetings = meetingHandlers(school, findUser);
  const handlers: HttpHandler[] = [
    gate,

    // $batch: up to 20 members, each dispatched through these same handlers and throttled on its own.
    http.post(/\/v1\.0\/\$batch$/, async ({ request }) => {
      stats.batches += 1;
      const body = (await request.json().catch(() => null)) as { requests?: Array<{ id: string; method: string; url: string; headers?: Record<string, string>; body?: unknown }> } | null;
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
          return { id: member.id, status: res.status, headers, body: text ? JSON.parse(text) : null };
        }),
      );
      return HttpResponse.json({ responses });
    }),

    // Organisation and tenant settings.
    http.get(`${V}/organization`, ({ request }) => listResponse(request, [school.settings.organization])),
    http.get(`${V}/subscribedSkus`, ({ request }) => listResponse(request, school.settings.subscribedSkus.map((s) => ({ id: s.skuId, ...s })))),
    http.get(`${V}/admin/sharepoint/settings`, () => HttpResponse.json({ ...school.settings.sharepoint })),
    http.get(`${V}/policies/authorizationPolicy`, () => HttpResponse.json({ id: 'authorizationPolicy', ...school.settings.authorizationPolicy })),
    http.get(`${V}/policies/crossTenantAccessPolicy/default`, () => HttpResponse.json({ isServiceDefault: true, ...school.settings.crossTenantDefault })),

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
      return singleResponse(request, u && u.userType === 'Member' ? { id: u.id, displayName: u.displayName, primaryRole: u.primaryRole, ...student } : undefined, 'Education user');
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
    http.post(`${V}/users/:id/sendMail`, async ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u) return graphError(404, 'ErrorInvalidUser', `The requested user '${String(params.id)}' is invalid.`);
      const body = (await request.json().catch(() => null)) as { message?: { subject?: string; body?: { content?: string }; toRecipients?: Array<{ emailAddress?: { address?: string } }> } } | null;
      const to = (body?.message?.toRecipients ?? []).map((r) => r.emailAddress?.address).filter((a): a is string => !!a);
      if (!body?.message || to.length === 0) return graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
      school.outbox.push({ from: u.mail, to, subject: body.message.subject ?? '', body: body.message.body?.content ?? '', at: new Date().toISOString() });
      return new HttpResponse(null, { status: 202 });
    }),

    // Groups and teams.
    http.get(`${V}/groups`, ({ request }) => listResponse(request, school.groups.map(groupJson))),
    http.get(`${V}/groups/:id`, ({ request, params }) => singleResponse(request, maybe(groupById.get(String(params.id)), groupJson), 'Group')),
    http.get(`${V}/groups/:id/members`, ({ request, params }) => {
      const g = groupById.get(String(params.id));
      return g ? listResponse(request, members(g.memberIds)) : graphError(404, 'Request_ResourceNotFound', 'Group does not exist.');
    }),
    http.get(`${V}/groups/:id/transitiveMembers`, ({ request, params }) => {
      const g = groupById.get(String(params.id));
      return g ? listResponse(request, members(g.memberIds)) : graphError(404, 'Request_ResourceNotFound', 'Group does not exist.');
    }),
    http.get(`${V}/groups/:id/owners`, ({ request, params }) => {
      const g = groupById.get(String(params.id));
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
      if (!u || u.userType === 'Guest') return graphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
      return listResponse(request, (school.inboxRules.get(u.id) ?? []) as unknown as Json[]);
    }),

    // Files: sites, drives, delta, permissions.
    http.get(`${V}/sites`, ({ request }) => listResponse(request, school.sites.map(({ driveIds: _d, groupId: _g, ...s }) => s))),
    http.get(`${V}/sites/:siteId/drives`, ({ request, params }) => {
      const site = school.sites.find((s) => s.id === String(params.siteId));
      if (!site) return graphError(404, 'itemNotFound', 'Site not found.');
      return listResponse(request, site.driveIds.map((id) => driveJson(driveById.get(id)!, userById)));
    }),
    http.get(`${V}/users/:id/drive`, ({ params }) => {
      const u = findUser(String(params.id));
      const d = u && u.driveProvisioned ? driveByOwner.get(u.id) : undefined;
      return d ? HttpResponse.json(driveJson(d, userById)) : graphError(404, 'ResourceNotFound', "User's mysite not found.");
    }),
    http.get(`${V}/drives/:driveId/root/delta`, ({ request, params }) => {
      const d = driveById.get(String(params.driveId));
      if (!d) return graphError(404, 'itemNotFound', 'Drive not found.');
      const url = new URL(request.url);
      const deltaLink = new URL(url);
      deltaLink.search = '';
      deltaLink.searchParams.set('token', String(changeVersion));
      const token = url.searchParams.get('token');
      const since = token === null ? -1 : token === 'latest' ? changeVersion : Number(token);
      const items = d.items.filter((i) => (i.changeVersion ?? 0) > since).map((i) => itemJson(d, i));
      return listResponse(request, items, { defaultPageSize: 200, lastPage: { '@odata.deltaLink': deltaLink.toString() } });
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
      return listResponse(request, school.events.filter((e) => e.calendarOwnerId === u.id).map(({ calendarOwnerId: _c, ...e }) => e), { defaultPageSize: 10 });
    }),
    http.get(`${V}/users/:id/onlineMeetings`, ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u) return graphError(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      const join = /JoinWebUrl eq '([^']+)'/i.exec(new URL(request.url).searchParams.get('$filter') ?? '')?.[1];
      if (!join) return graphError(400, 'BadRequest', "Filter by JoinWebUrl is required.");
      const found = school.onlineMeetings.filter((m) => m.organizerUserId === u.id && m.joinWebUrl === join).map((m) => onlineMeetingJson(m, request));
      return HttpResponse.json({ value: found });
    }),
    http.get(`${V}/users/:id/onlineMeetings/:meetingId`, ({ request, params }) => {
      const m = school.onlineMeetings.find((x) => x.id === String(params.meetingId));
      return singleResponse(request, m && onlineMeetingJson(m, request), 'Online meeting');
    }),
    ...meetings.handlers,

    // Exchange Online admin API (InvokeCommand): read-only cmdlets the audit needs.
    http.post('*/adminapi/beta/:tenantId/InvokeCommand', async ({ request, params }) => {
      if (!/^Bearer \S+/.test(request.headers.get('authorization') ?? '')) return graphError(401, 'Unauthorized', 'No token.');
      if (options.exchangeAdmin === false) return graphError(403, 'Forbidden', 'The app has no Exchange.ManageAsApp role.');
      if (String(params.tenantId) !== school.tenantId) return graphError(404, 'NotFound', 'Unknown organisation.');
      const input = ((await request.json().catch(() => ({}))) as { CmdletInput?: { CmdletName?: string } }).CmdletInput;
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
                ForwardingAddress: null,
                DeliverToMailboxAndForward: school.exchange.forwarding.get(u.id)?.DeliverToMailboxAndForward ?? false,
              })),
            { defaultPageSize: 1000, maxPageSize: 1000 },
          );
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
    change(item);
    item.changeVersion = ++changeVersion;
  };

  return { school, handlers, throttle, stats, changeSharing, meetings: meetings.meetings };
}

function maybe<T, R>(value: T | undefined, fn: (v: T) => R): R | undefined {
  return value === undefined ? undefined : fn(value);
}
