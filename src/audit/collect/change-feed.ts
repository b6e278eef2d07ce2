import { isGraphError, networkCause, type GraphAccess } from '../../graph/graph-access';
import { isForbidden } from './graph-collection';

/**
 * What changed in the school since a moment, learnt from the unified audit log (Graph v1.0's Audit
 * Log Query API, security-auditcoreroot-post-auditlogqueries.md) instead of by reading everything:
 * polling every drive's delta costs at least one SharePoint resource unit per drive even when
 * nothing changed, and every mailbox's rules a call per mailbox.
 */
export interface ChangeFeed {
  /** Sites (their URLs, lower case, no trailing slash) where sharing changed; undefined when the log could not say. */
  sharingSites?: Set<string>;
  /**
   * The items whose sharing changed, by URL (a sharing record's ObjectId, security-auditlogrecord.md
   * and SharePoint's sharing schema), with their site: drive delta does not report a sharing-only
   * change without Sites.FullControl.All, so the collector then reads these items by path.
   */
  sharingItems?: Array<{ site: string; url: string }>;
  /** Mailboxes (sign-in names, lower case) whose inbox rules changed; undefined when the log could not say. */
  ruleMailboxes?: Set<string>;
  /** Why an area could not be learnt from the log (it falls back to reading in full). */
  unavailable: Partial<Record<'sharing' | 'rules', string>>;
}

/**
 * Purview's audited activities (learn.microsoft.com/purview/audit-log-activities, "Sharing and
 * access request activities"; "Exchange mailbox activities" and the inbox-rule cmdlets): every
 * way sharing is granted or taken away, and every way an inbox rule is made, changed or removed.
 */
export const SHARING_OPERATIONS = [
  'AnonymousLinkCreated',
  'AnonymousLinkUpdated',
  'AnonymousLinkRemoved',
  'CompanyLinkCreated',
  'CompanyLinkRemoved',
  'SecureLinkCreated',
  'SecureLinkUpdated',
  'SecureLinkDeleted',
  'AddedToSecureLink',
  'RemovedFromSecureLink',
  'SharingInvitationCreated',
  'SharingInvitationRevoked',
  'SharingSet',
  'SharingRevoked',
  'SharingInheritanceBroken',
  'SharingInheritanceReset',
];
export const RULE_OPERATIONS = ['New-InboxRule', 'Set-InboxRule', 'Remove-InboxRule', 'Enable-InboxRule', 'Disable-InboxRule', 'UpdateInboxRules'];

/** How often to ask whether the search has finished (it takes minutes; Microsoft gives no figure). */
const POLL_MS = 15_000;
/** A search still running after this long is given up on: the run reads those areas in full. */
const GIVE_UP_MS = 30 * 60_000;

/** Which services' records the token can read (the permissions are per service, security-auditcoreroot-post-auditlogqueries.md). */
function readable(roles: string[] | undefined) {
  const all = !roles || roles.includes('AuditLogsQuery.Read.All');
  return {
    sharing: all || (roles.includes('AuditLogsQuery-SharePoint.Read.All') && roles.includes('AuditLogsQuery-OneDrive.Read.All')),
    rules: all || roles.includes('AuditLogsQuery-Exchange.Read.All'),
  };
}

export async function readChangeFeed(graph: GraphAccess, window: { from: Date; to: Date }, now: () => number): Promise<ChangeFeed> {
  const can = readable(await graph.grantedRoles());
  const unavailable: ChangeFeed['unavailable'] = {};
  if (!can.sharing) unavailable.sharing = 'missing AuditLogsQuery-SharePoint.Read.All and AuditLogsQuery-OneDrive.Read.All';
  if (!can.rules) unavailable.rules = 'missing AuditLogsQuery-Exchange.Read.All';
  const operations = [...(can.sharing ? SHARING_OPERATIONS : []), ...(can.rules ? RULE_OPERATIONS : [])];
  if (!operations.length) return { unavailable };
  type Query = { id: string; status: string };
  type Record = { operation: string; objectId?: string; userPrincipalName?: string; auditData?: { [k: string]: unknown } };
  let records: Record[];
  try {
    const query = await graph.post<Query>('/security/auditLog/queries', {
      displayName: 'E-Safety audit: changes since the last run',
      filterStartDateTime: window.from.toISOString(),
      filterEndDateTime: window.to.toISOString(),
      operationFilters: operations,
    });
    const started = now();
    let status = query.status;
    // Bounded by the clock and by the number of polls, so a clock that does not move cannot hold the run.
    // security-auditlogquery.md: notStarted and running are on the way; failed, cancelled (and a
    // status added later, unknownFutureValue) will never succeed, so they end the wait at once.
    for (let polls = 0; status !== 'succeeded'; polls++) {
      const underWay = status === 'notStarted' || status === 'running';
      if (!underWay || now() - started > GIVE_UP_MS || polls > GIVE_UP_MS / POLL_MS) {
        const why = `the audit log search ${underWay ? 'did not finish in 30 minutes' : `ended ${status}`}`;
        return { unavailable: { sharing: unavailable.sharing ?? why, rules: unavailable.rules ?? why } };
      }
      await graph.sleep(POLL_MS);
      status = (await graph.get<Query>(`/security/auditLog/queries/${query.id}`)).status;
    }
    records = await graph.all<Record>(`/security/auditLog/queries/${query.id}/records`);
  } catch (e) {
    // Whatever the audit log answers (refused, throttled for the day, down), the run goes on: the
    // areas it would have narrowed are read in full, and the coverage line says why.
    const why = isForbidden(e)
      ? 'missing AuditLogsQuery-SharePoint/-OneDrive/-Exchange.Read.All'
      : `the audit log could not be searched (${isGraphError(e) ? `HTTP ${e.statusCode}` : (networkCause(e) ?? 'no answer')})`;
    return { unavailable: { sharing: unavailable.sharing ?? why, rules: unavailable.rules ?? why } };
  }
  const out: ChangeFeed = { unavailable };
  if (can.sharing) {
    out.sharingSites = new Set();
    out.sharingItems = [];
  }
  const itemsSeen = new Set<string>();
  if (can.rules) out.ruleMailboxes = new Set();
  for (const r of records) {
    const data = r.auditData ?? {};
    if (SHARING_OPERATIONS.includes(r.operation) && out.sharingSites) {
      const site = typeof data.SiteUrl === 'string' ? data.SiteUrl : undefined;
      if (site) out.sharingSites.add(siteKey(site));
      const url = typeof data.ObjectId === 'string' ? data.ObjectId : r.objectId;
      if (site && url && !itemsSeen.has(url.toLowerCase())) {
        itemsSeen.add(url.toLowerCase());
        out.sharingItems!.push({ site: siteKey(site), url });
      }
    } else if (RULE_OPERATIONS.includes(r.operation) && out.ruleMailboxes) {
      // The mailbox: its owner for a change saved in Outlook, the -Mailbox parameter (or the rule's
      // identity, "mailbox\rule") for a cmdlet; the person who acted only as a last resort.
      const parameter = Array.isArray(data.Parameters)
        ? (data.Parameters as Array<{ Name?: string; Value?: string }>).find((p) => p.Name === 'Mailbox')?.Value
        : undefined;
      const mailbox =
        (typeof data.MailboxOwnerUPN === 'string' ? data.MailboxOwnerUPN : undefined) ?? parameter ?? r.objectId?.split('\\')[0] ?? r.userPrincipalName;
      if (mailbox) out.ruleMailboxes.add(mailbox.toLowerCase());
    }
  }
  return out;
}

/** A site URL as the feed and the site list are matched on. */
export const siteKey = (url: string) => url.replace(/\/+$/, '').toLowerCase();
