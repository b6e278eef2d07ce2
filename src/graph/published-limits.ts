/**
 * Microsoft's published throttling limits for the services this app reads through Graph, and what
 * each request costs against them. One table, used by the demo tenant (which enforces them), by the
 * audit (which paces itself to SharePoint's budget) and by the benchmark (which reports the floor
 * they impose). Every number names its source; Microsoft "reserves the right to change" them all.
 *
 * Sources:
 * - [SPO]   SharePoint: "Avoid getting throttled or blocked in SharePoint Online"
 *           (learn.microsoft.com/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online),
 *           section "Application throttling": resource units per app per tenant, and the cost table.
 * - [GRAPH] Graph: "Microsoft Graph service-specific throttling limits" (microsoft-graph-docs-contrib
 *           concepts/throttling-limits.md): global limit, Outlook service limits, identity and access.
 */

export type GraphService = 'sharepoint' | 'outlook' | 'identity' | 'other';

/** [SPO] "Application throttling" table: resource units per app per tenant, by licence count. */
const SHAREPOINT_TIERS: ReadonlyArray<{ upToLicences: number; perMinute: number; per24Hours: number }> = [
  { upToLicences: 1_000, perMinute: 1_250, per24Hours: 1_200_000 },
  { upToLicences: 5_000, perMinute: 2_500, per24Hours: 2_400_000 },
  { upToLicences: 15_000, perMinute: 3_750, per24Hours: 3_600_000 },
  { upToLicences: 50_000, perMinute: 5_000, per24Hours: 4_800_000 },
  { upToLicences: Infinity, perMinute: 6_250, per24Hours: 6_000_000 },
];

/** A budget that refills evenly over its window (a token bucket of `quota`, as the docs describe limits "per window"). */
export interface Budget {
  quota: number;
  windowMs: number;
}

export function sharePointBudgets(licences: number): { perMinute: Budget; per24Hours: Budget } {
  const tier = SHAREPOINT_TIERS.find((t) => licences <= t.upToLicences)!;
  return { perMinute: { quota: tier.perMinute, windowMs: 60_000 }, per24Hours: { quota: tier.per24Hours, windowMs: 86_400_000 } };
}

/**
 * [GRAPH] "Identity and access service limits": resource units per application+tenant pair per
 * 10 seconds; S under 50 users, M 50-500, L above 500.
 */
export function identityBudget(users: number): Budget {
  return { quota: users < 50 ? 3_500 : users <= 500 ? 5_000 : 8_000, windowMs: 10_000 };
}

/** [GRAPH] "Outlook service limits": 10,000 API requests in a 10 minute period, per app per mailbox. */
export const OUTLOOK_PER_MAILBOX: Budget = { quota: 10_000, windowMs: 600_000 };
/** [GRAPH] "Outlook service limits": 4 concurrent requests per app per mailbox. */
export const OUTLOOK_CONCURRENT_PER_MAILBOX = 4;
/** [GRAPH] global limit: 2,000 requests per second per app across all tenants (batch members count one by one). */
export const GLOBAL_PER_APP: Budget = { quota: 2_000, windowMs: 1_000 };

/** Time (ms) the budget needs to grant `spent` units when it starts full: nothing for the first `quota`. */
export function floorMs(spent: number, budget: Budget): number {
  return (Math.max(0, spent - budget.quota) / budget.quota) * budget.windowMs;
}

const MAILBOX =
  /^\/(?:users|me)\/([^/?]+)\/(?:mailFolders|messages|events|calendar|calendars|calendarView|mailboxSettings|sendMail|inferenceClassification)(?:[/?]|$)/i;
const SHAREPOINT = /^\/(?:drives|sites|shares)(?:[/?]|$)|^\/(?:users|groups|me)\/[^/?]+\/drives?(?:[/?]|$)/i;
const IDENTITY =
  /^\/(?:users|groups|directoryObjects|applications|servicePrincipals|policies|organization|domains|subscribedSkus|oauth2PermissionGrants|contracts|me)(?:[/?]|$)/i;

/** Which service's limits a request counts against. `path` is relative to the version: `/users?$top=1`. */
export function serviceOf(path: string): { service: GraphService; mailbox?: string } {
  const mailbox = MAILBOX.exec(path)?.[1];
  if (mailbox) return { service: 'outlook', mailbox: decodeURIComponent(mailbox).toLowerCase() };
  if (SHAREPOINT.test(path)) return { service: 'sharepoint' };
  // Online meetings are the cloud communication service's, not the directory's.
  if (/^\/(?:users|me)\/[^/?]+\/onlineMeetings/i.test(path)) return { service: 'other' };
  if (IDENTITY.test(path)) return { service: 'identity' };
  return { service: 'other' };
}

/**
 * [SPO] cost table: 1 unit for a single item query and for delta with a token; 2 for a multi-item
 * query (list children, delta without a token) and for create/update/delete; 5 for any permission
 * operation (including $expand=permissions). A batch's members are each counted on their own.
 */
export function sharePointCost(method: string, path: string): number {
  const [pathname = '', query = ''] = path.split('?');
  if (/\/permissions(?:\/|$)/i.test(pathname) || /expand=[^&]*permissions/i.test(decodeURIComponent(query))) return 5;
  if (method.toUpperCase() !== 'GET') return 2;
  if (/\/delta(?:\(\))?$/i.test(pathname)) return /(?:^|&)token=/.test(query) ? 1 : 2;
  // A collection: the drives of a site or a user, a folder's children, getAllSites, a site list.
  if (/\/(?:drives|children|getAllSites|sites|items|lists)$/i.test(pathname)) return 2;
  return 1;
}

/**
 * [GRAPH] identity and access base costs ("Any requests not listed have a base cost of 1"), then:
 * $select -1, $expand +1, $top below 20 -1; never below 1. `me/` costs apply to `users/{id}/`.
 */
export function identityCost(method: string, path: string): number {
  const [pathname = '', query = ''] = path.split('?');
  const p = pathname.replace(/^\/(?:me|users\/[^/]+)(?=\/)/i, '/me');
  let cost = 1;
  if (method.toUpperCase() === 'GET') {
    if (/^\/users$/i.test(p) || /^\/applications$/i.test(p) || /^\/me\/(?:memberOf|ownedObjects|transitiveMemberOf|licenseDetails)$/i.test(p)) cost = 2;
    else if (/^\/groups\/[^/]+\/members$/i.test(p) || /^\/subscribedSkus$/i.test(p)) cost = 3;
    else if (/^\/groups\/[^/]+\/transitiveMembers$/i.test(p)) cost = 5;
  }
  const q = new URLSearchParams(query);
  if (q.has('$select')) cost -= 1;
  if (q.has('$expand')) cost += 1;
  const top = Number(q.get('$top'));
  if (q.has('$top') && top < 20) cost -= 1;
  return Math.max(1, cost);
}
