import { randomUUID } from 'node:crypto';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { rolesOf } from '../graph/permissions';
import { graphError, listResponse } from './odata';
import type { DemoAuditRecord, DemoDrive, DemoDriveItem, DemoInboxRule, DemoPermission, DemoSchool, DemoUser } from './school-model';

/**
 * The unified audit log as Graph v1.0's Audit Log Query API serves it (Microsoft Purview Audit
 * Search): an app POSTs a query (`/security/auditLog/queries`), reads it until its status is
 * `succeeded`, then pages through its records. Shapes from the v1.0 CSDL (`security.auditLogQuery`,
 * `security.auditLogRecord`) and microsoftgraph/microsoft-graph-docs-contrib:
 * api-reference/v1.0/api/security-auditcoreroot-post-auditlogqueries.md, security-auditlogquery-get.md,
 * security-auditlogquery-list-records.md and resources/security-auditlogquery.md.
 */

/** A sharing change as SharePoint and OneDrive audit it (Purview's "Sharing and access request activities"). */
export type SharingOperation =
  | 'AnonymousLinkCreated'
  | 'AnonymousLinkRemoved'
  | 'CompanyLinkCreated'
  | 'SecureLinkCreated'
  | 'AddedToSecureLink'
  | 'SharingInvitationCreated'
  | 'SharingSet'
  | 'SharingRevoked';

/** Inbox rule changes: New-/Set-/Remove-InboxRule are Exchange admin cmdlets; Outlook's own edits are the mailbox action UpdateInboxRules. */
export type InboxRuleOperation = 'New-InboxRule' | 'Set-InboxRule' | 'Remove-InboxRule' | 'UpdateInboxRules';

/** How a rule was changed: an administrator's cmdlet, Outlook (desktop), or the owner in Outlook on the web. */
export type InboxRuleChannel = 'cmdlet' | 'outlook' | 'web';

/**
 * auditLogQuery.md: `serviceFilters` is a collection in v1.0's CSDL (the create page's table still
 * says `serviceFilter`, a string: both are accepted, as a request naming either parses).
 */
interface QueryInput {
  displayName?: string;
  filterStartDateTime?: string;
  filterEndDateTime?: string;
  recordTypeFilters?: string[];
  keywordFilter?: string;
  serviceFilter?: string;
  serviceFilters?: string[];
  operationFilters?: string[];
  userPrincipalNameFilters?: string[];
  ipAddressFilters?: string[];
  objectIdFilters?: string[];
  administrativeUnitIdFilters?: string[];
}

interface DemoQuery extends QueryInput {
  id: string;
  createdAt: number;
  /** The records it found, fixed when it ran (records ingested later are not in it). */
  found?: DemoAuditRecord[];
  /** How it ends other than `succeeded` (DemoAuditLog.endNextQueries): failed, cancelled, or never finished. */
  ends?: QueryEnding;
}

/**
 * security-auditlogquery.md, `status` (auditLogQueryStatus): notStarted, running, succeeded,
 * failed, cancelled, unknownFutureValue. A search can end failed or cancelled (an administrator
 * cancels it in Purview), and Microsoft gives no time within which one finishes: `never` stays
 * running for as long as anyone asks.
 */
export type QueryEnding = 'failed' | 'cancelled' | 'never';

/**
 * Microsoft Purview, "Search the audit log" (learn.microsoft.com/purview/audit-search): Microsoft
 * does not guarantee when a record can be found; for the core services (Exchange, SharePoint,
 * OneDrive, Teams) it is typically 60 to 90 minutes after the event. Each demo record takes a
 * fixed time in that range, so a run right after a change does not yet see it, as in a tenant.
 */
export const RECORD_LATENCY_MS = { min: 60 * 60_000, max: 90 * 60_000 };

/**
 * How long a query runs before it has `succeeded`. Microsoft publishes no figure (searches take
 * minutes); this stand-in makes a client poll, as it must, without making the demo slow.
 */
export const QUERY_RUNS_MS = 60_000;

/**
 * concepts/throttling-limits.md, "Security audit log query service limits": a tenant's baseline
 * allocation is at least 200 query submissions in a rolling 24 hours and at least 50 queries queued
 * or running (higher for tenants with more eligible licences; the calculation is not published).
 */
export const AUDIT_QUERY_LIMITS = { submissionsPerDay: 200, unfinished: 50 };

/** The tenant's initial domain, as Exchange's canonical names carry it. */
const TENANT_DOMAIN = 'demoacademy.onmicrosoft.com';

/**
 * Which permission reads which service's records: "classified at a Microsoft 365 service level"
 * (security-auditcoreroot-post-auditlogqueries.md); AuditLogsQuery.Read.All reads them all.
 */
const PERMISSION_OF_SERVICE: Record<string, string> = {
  SharePoint: 'AuditLogsQuery-SharePoint.Read.All',
  OneDrive: 'AuditLogsQuery-OneDrive.Read.All',
  Exchange: 'AuditLogsQuery-Exchange.Read.All',
  AzureActiveDirectory: 'AuditLogsQuery-Entra.Read.All',
};

export interface DemoAuditLog {
  /** Sharing of an item changed: one record per permission added or removed (none if nothing changed). */
  sharingChanged(drive: DemoDrive, item: DemoDriveItem, before: DemoPermission[], actor?: DemoUser): void;
  /**
   * A mailbox's inbox rules changed: by an administrator's cmdlet (New-/Set-/Remove-InboxRule
   * -Mailbox), in Outlook (UpdateInboxRules), or by the person themselves in Outlook on the web
   * (the same cmdlets, run as them, without -Mailbox).
   */
  inboxRulesChanged(mailbox: DemoUser, before: DemoInboxRule[], after: DemoInboxRule[], how: InboxRuleChannel): void;
  readonly records: readonly DemoAuditRecord[];
  /** The next `count` queries submitted end this way instead of succeeding (then they succeed again). */
  endNextQueries(ending: QueryEnding, count?: number): void;
}

export function auditLogHandlers(
  school: DemoSchool,
  options: { clock: () => Date; queryRunsMs?: number; latencyMs?: { min: number; max: number } },
): { handlers: HttpHandler[]; auditLog: DemoAuditLog } {
  const queries = new Map<string, DemoQuery>();
  const submissions: number[] = [];
  const endings: QueryEnding[] = [];
  const runsFor = options.queryRunsMs ?? QUERY_RUNS_MS;
  const latency = options.latencyMs ?? RECORD_LATENCY_MS;
  const now = () => options.clock().getTime();
  const userById = new Map(school.users.map((u) => [u.id, u]));

  const statusOf = (q: DemoQuery) => (q.ends === 'never' || now() - q.createdAt < runsFor ? 'running' : (q.ends ?? 'succeeded'));
  const found = (q: DemoQuery, granted: string[] | undefined): DemoAuditRecord[] => {
    // The search covers what was ingested by the time it ran: a record still in flight is missed.
    q.found ??= school.auditLog.filter((r) => Date.parse(r.ingestedAt) <= q.createdAt + runsFor && matches(q, r));
    const readable = (r: DemoAuditRecord) =>
      !granted || granted.includes('AuditLogsQuery.Read.All') || granted.includes(PERMISSION_OF_SERVICE[r.service] ?? '');
    return q.found.filter(readable);
  };
  const queryJson = (q: DemoQuery, status: string) => {
    const { createdAt: _c, found: _f, ends: _e, serviceFilter, ...rest } = q;
    return {
      '@odata.type': '#microsoft.graph.security.auditLogQuery',
      ...rest,
      ...(serviceFilter && !rest.serviceFilters ? { serviceFilters: [serviceFilter] } : {}),
      status,
      ...(status === 'succeeded' ? { approximateReturnedRecordCount: q.found?.length ?? 0, isRecordCountLimitExceeded: false } : {}),
    };
  };
  const rolesIn = (request: Request) => rolesOf((request.headers.get('authorization') ?? '').replace(/^Bearer /, ''));

  const handlers: HttpHandler[] = [
    http.post('*/v1.0/security/auditLog/queries', async ({ request }) => {
      const body = (await request.json().catch(() => null)) as QueryInput | null;
      if (!body || typeof body !== 'object') return graphError(400, 'BadRequest', 'The request body must be an auditLogQuery.');
      for (const key of ['filterStartDateTime', 'filterEndDateTime'] as const) {
        if (body[key] !== undefined && Number.isNaN(Date.parse(body[key]))) return graphError(400, 'BadRequest', `${key} is not a DateTimeOffset.`);
      }
      const t = now();
      while (submissions.length && submissions[0]! <= t - 24 * 3_600_000) submissions.shift();
      const unfinished = [...queries.values()].filter((q) => statusOf(q) === 'running').length;
      if (submissions.length >= AUDIT_QUERY_LIMITS.submissionsPerDay || unfinished >= AUDIT_QUERY_LIMITS.unfinished) {
        const retryAfter = unfinished >= AUDIT_QUERY_LIMITS.unfinished ? Math.ceil(runsFor / 1000) : Math.ceil((submissions[0]! + 24 * 3_600_000 - t) / 1000);
        return graphError(429, 'TooManyRequests', 'The tenant has reached its audit log query allocation.', { 'Retry-After': String(Math.max(1, retryAfter)) });
      }
      submissions.push(t);
      const ends = endings.shift();
      const q: DemoQuery = { ...pick(body), id: randomUUID(), createdAt: t, ...(ends ? { ends } : {}) };
      queries.set(q.id, q);
      return HttpResponse.json(queryJson(q, 'notStarted'), { status: 201 });
    }),
    http.get('*/v1.0/security/auditLog/queries/:id', ({ request, params }) => {
      const q = queries.get(String(params.id));
      if (!q) return graphError(404, 'NotFound', 'The audit log query does not exist.');
      const status = statusOf(q);
      if (status === 'succeeded') found(q, rolesIn(request));
      return HttpResponse.json(queryJson(q, status));
    }),
    http.get('*/v1.0/security/auditLog/queries/:id/records', ({ request, params }) => {
      const q = queries.get(String(params.id));
      if (!q) return graphError(404, 'NotFound', 'The audit log query does not exist.');
      // Until the search has succeeded there is nothing to page through (a failed or cancelled one has nothing).
      const records = statusOf(q) === 'succeeded' ? found(q, rolesIn(request)) : [];
      return listResponse(
        request,
        records.map(({ ingestedAt: _i, ...r }) => ({ '@odata.type': '#microsoft.graph.security.auditLogRecord', ...r })),
        { defaultPageSize: 150, maxPageSize: 1000 },
      );
    }),
  ];

  let sequence = 0;
  let selfMade = 0;
  const add = (r: Omit<DemoAuditRecord, 'id' | 'createdDateTime' | 'ingestedAt' | 'organizationId' | 'clientIp' | 'administrativeUnits' | 'userType'>) => {
    const at = now();
    // A fixed spread across Microsoft's typical range, the same for every run of a test.
    const delay = latency.min + ((sequence++ * 7919) % (latency.max - latency.min + 1));
    school.auditLog.push({
      id: randomUUID(),
      createdDateTime: new Date(at).toISOString(),
      ingestedAt: new Date(at + delay).toISOString(),
      organizationId: school.tenantId,
      userType: 'regular',
      clientIp: '203.0.113.10',
      administrativeUnits: [],
      ...r,
    });
  };

  const auditLog: DemoAuditLog = {
    get records() {
      return school.auditLog;
    },
    endNextQueries(ending, count = 1) {
      for (let n = 0; n < count; n++) endings.push(ending);
    },
    sharingChanged(drive, item, before, actor) {
      const owner = (drive.ownerUserId && userById.get(drive.ownerUserId)) || undefined;
      const who = actor ?? owner ?? school.users.find((u) => u.role === 'staff')!;
      const service = drive.driveType === 'business' ? 'OneDrive' : 'SharePoint';
      const own = (ps: DemoPermission[]) => ps.filter((p) => !p.inheritedFrom);
      const beforeIds = new Set(own(before).map((p) => p.id));
      const afterIds = new Set(own(item.permissions).map((p) => p.id));
      // The site is the library's parent: a drive's root is its library (…/Shared Documents, …/Documents).
      const library = drive.items.find((i) => i.parentId === null)!.webUrl;
      const siteUrl = library.slice(0, library.lastIndexOf('/'));
      const path = item.webUrl.slice(siteUrl.length + 1);
      const base = {
        auditLogRecordType: 'sharePointSharingOperation',
        service,
        objectId: item.webUrl,
        userId: who.userPrincipalName,
        userPrincipalName: who.userPrincipalName,
      };
      // The fields of SharePoint's sharing schema (Office 365 Management Activity API) the audit reads.
      const data = (operation: string, p: DemoPermission) => ({
        '@odata.type': '#microsoft.graph.security.sharePointSharingOperationAuditRecord',
        CreationTime: new Date(now()).toISOString(),
        Operation: operation,
        Workload: service,
        ObjectId: item.webUrl,
        SiteUrl: `${siteUrl}/`,
        SourceRelativeUrl: path.split('/').slice(0, -1).join('/'),
        SourceFileName: item.name,
        ItemType: item.isFolder ? 'Folder' : 'File',
        TargetUserOrGroupName: p.invitation?.email ?? p.grantedToV2?.user?.email ?? p.grantedToIdentitiesV2?.[0]?.user?.email ?? p.link?.scope ?? '',
      });
      for (const p of own(item.permissions).filter((x) => !beforeIds.has(x.id))) {
        const operations: SharingOperation[] = p.link
          ? p.link.scope === 'anonymous'
            ? ['AnonymousLinkCreated']
            : p.link.scope === 'organization'
              ? ['CompanyLinkCreated']
              : ['SecureLinkCreated', ...(p.grantedToIdentitiesV2?.length ? (['AddedToSecureLink'] as const) : [])]
          : p.invitation
            ? ['SharingInvitationCreated']
            : ['SharingSet'];
        for (const operation of operations) add({ ...base, operation, auditData: data(operation, p) });
      }
      for (const p of own(before).filter((x) => !afterIds.has(x.id))) {
        const operation: SharingOperation = p.link?.scope === 'anonymous' ? 'AnonymousLinkRemoved' : 'SharingRevoked';
        add({ ...base, operation, auditData: data(operation, p) });
      }
    },
    inboxRulesChanged(mailbox, before, after, how) {
      const identity = (r: DemoInboxRule) => `${mailbox.userPrincipalName}\\${r.displayName}`;
      const base = { service: 'Exchange', userId: mailbox.userPrincipalName, userPrincipalName: mailbox.userPrincipalName };
      const changed: Array<[InboxRuleOperation, DemoInboxRule]> = [];
      const beforeById = new Map(before.map((r) => [r.id, r]));
      const afterIds = new Set(after.map((r) => r.id));
      for (const r of after) {
        const was = beforeById.get(r.id);
        if (!was) changed.push(['New-InboxRule', r]);
        else if (JSON.stringify(was) !== JSON.stringify(r)) changed.push(['Set-InboxRule', r]);
      }
      for (const r of before) if (!afterIds.has(r.id)) changed.push(['Remove-InboxRule', r]);
      for (const [cmdlet, rule] of changed) {
        if (how === 'outlook') {
          // Rules saved in Outlook are one mailbox action, whatever changed (Purview's mailbox actions).
          add({
            ...base,
            auditLogRecordType: 'exchangeItem',
            operation: 'UpdateInboxRules',
            objectId: mailbox.userPrincipalName,
            auditData: {
              '@odata.type': '#microsoft.graph.security.exchangeMailboxAuditRecord',
              Operation: 'UpdateInboxRules',
              MailboxOwnerUPN: mailbox.userPrincipalName,
              MailboxGuid: mailbox.id,
            },
          });
          break;
        }
        if (how === 'web') {
          // The owner's own change (Outlook on the web runs the cmdlet as them, without -Mailbox):
          // no Mailbox parameter, and ObjectId ("the name of the object that was modified by the
          // cmdlet", Office 365 Management Activity API schema) names the rule "<mailbox>\<rule>" by
          // Exchange's name for the mailbox, not its sign-in name: a canonical name
          // (<server>/Microsoft Exchange Hosted Organizations/<tenant>.onmicrosoft.com/<name>) ending
          // in the display name, the alias or, for many cloud mailboxes, the object id. Each in turn.
          const name = [mailbox.displayName, mailbox.mailNickname, mailbox.id][selfMade++ % 3]!;
          const objectId = `EURPR05A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/${TENANT_DOMAIN}/${name}\\${rule.displayName}`;
          add({
            ...base,
            auditLogRecordType: 'exchangeAdmin',
            operation: cmdlet,
            objectId,
            auditData: {
              '@odata.type': '#microsoft.graph.security.exchangeAdminAuditRecord',
              Operation: cmdlet,
              ObjectId: objectId,
              Parameters: cmdlet === 'New-InboxRule' ? [{ Name: 'Name', Value: rule.displayName }] : [{ Name: 'Identity', Value: rule.id }],
            },
          });
          continue;
        }
        add({
          ...base,
          auditLogRecordType: 'exchangeAdmin',
          operation: cmdlet,
          objectId: identity(rule),
          auditData: {
            '@odata.type': '#microsoft.graph.security.exchangeAdminAuditRecord',
            Operation: cmdlet,
            ObjectId: identity(rule),
            Parameters: [
              { Name: 'Mailbox', Value: mailbox.userPrincipalName },
              { Name: 'Name', Value: rule.displayName },
            ],
          },
        });
      }
    },
  };
  return { handlers, auditLog };
}

function pick(body: QueryInput): QueryInput {
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const out: QueryInput = {};
  if (typeof body.displayName === 'string') out.displayName = body.displayName;
  if (typeof body.filterStartDateTime === 'string') out.filterStartDateTime = body.filterStartDateTime;
  if (typeof body.filterEndDateTime === 'string') out.filterEndDateTime = body.filterEndDateTime;
  if (typeof body.keywordFilter === 'string') out.keywordFilter = body.keywordFilter;
  if (typeof body.serviceFilter === 'string') out.serviceFilter = body.serviceFilter;
  for (const key of [
    'recordTypeFilters',
    'serviceFilters',
    'operationFilters',
    'userPrincipalNameFilters',
    'ipAddressFilters',
    'objectIdFilters',
    'administrativeUnitIdFilters',
  ] as const) {
    const v = strings(body[key]);
    if (v) out[key] = v;
  }
  return out;
}

/** A record answers a query when it is in the time window and every filter given names it. */
function matches(q: QueryInput, r: DemoAuditRecord): boolean {
  const at = Date.parse(r.createdDateTime);
  const ci = (list: string[] | undefined, value: string) => !list?.length || list.some((x) => x.toLowerCase() === value.toLowerCase());
  if (q.filterStartDateTime && at < Date.parse(q.filterStartDateTime)) return false;
  if (q.filterEndDateTime && at > Date.parse(q.filterEndDateTime)) return false;
  const services = q.serviceFilters ?? (q.serviceFilter ? [q.serviceFilter] : undefined);
  return (
    ci(q.operationFilters, r.operation) &&
    ci(q.recordTypeFilters, r.auditLogRecordType) &&
    ci(services, r.service) &&
    ci(q.userPrincipalNameFilters, r.userPrincipalName) &&
    ci(q.ipAddressFilters, r.clientIp) &&
    ci(q.objectIdFilters, r.objectId) &&
    (!q.keywordFilter || JSON.stringify(r.auditData).toLowerCase().includes(q.keywordFilter.toLowerCase()))
  );
}
