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
  /**
   * Mailboxes whose inbox rules changed, as the records name them (lower case): a sign-in name, an
   * alias, a display name, an object id or a DN (see `ruleMailbox`); `mailboxesNamed` finds them in
   * the directory. Undefined when the log could not say.
   */
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
      const mailbox = ruleMailbox(r);
      if (mailbox) out.ruleMailboxes.add(mailbox.toLowerCase());
    }
  }
  return out;
}

/**
 * The mailbox an inbox-rule record is about, as the record names it.
 *
 * - UpdateInboxRules (Outlook saving its rules) is a mailbox audit record: `MailboxOwnerUPN`.
 * - New-/Set-/Remove-InboxRule are Exchange admin audit records (Office 365 Management Activity API
 *   schema, "Exchange admin schema"): `ObjectId` is "the name of the object that was modified by the
 *   cmdlet" and `Parameters` "the name and value for all parameters that were used with the cmdlet".
 *   An administrator names the mailbox with -Mailbox, which takes "any value that uniquely
 *   identifies the mailbox": name, alias, DN, canonical DN, domain\account, email address, GUID,
 *   LegacyExchangeDN, SamAccountName or UPN (New-InboxRule.md). Someone making a rule in their own
 *   mailbox (Outlook on the web, or the cmdlet without -Mailbox) passes no -Mailbox at all, and the
 *   rule's ObjectId is "<mailbox>\<rule>" where the mailbox is Exchange's name for it, such as
 *   "EURPR05A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/Jo Bloggs"
 *   (its object id or alias in place of the display name for many mailboxes): not a sign-in name.
 *   Microsoft documents ObjectId only as the modified object's name; this form is what such
 *   records carry, and any name found here that the directory does not know reads every mailbox.
 *
 * The person who acted names it only when the record names no mailbox at all.
 */
function ruleMailbox(r: { objectId?: string; userPrincipalName?: string; auditData?: { [k: string]: unknown } }): string | undefined {
  const data = r.auditData ?? {};
  const parameters = Array.isArray(data.Parameters) ? (data.Parameters as Array<{ Name?: string; Value?: string }>) : [];
  const parameter = (name: string) => parameters.find((p) => p.Name === name)?.Value || undefined;
  // A rule's identity, "<mailbox>\<rule>": the part before the backslash (a name that finds nobody reads every mailbox).
  const mailboxOf = (identity: string | undefined) => (identity?.includes('\\') ? identity.slice(0, identity.lastIndexOf('\\')) : undefined);
  const objectId = typeof data.ObjectId === 'string' ? data.ObjectId : r.objectId;
  return (
    (typeof data.MailboxOwnerUPN === 'string' ? data.MailboxOwnerUPN : undefined) ??
    parameter('Mailbox') ??
    mailboxOf(parameter('Identity')) ??
    mailboxOf(objectId) ??
    r.userPrincipalName
  );
}

/**
 * The people whose mailboxes the feed names, found in the directory by sign-in name, address, alias
 * (mailNickname, or the sign-in name's local part), display name or object id; also the last part
 * of a canonical name (…/contoso.onmicrosoft.com/Jo Bloggs), the CN of a DN and the alias at the end
 * of a LegacyExchangeDN (…/cn=Recipients/cn=<32 hex>-jo.bloggs). A display name two people share
 * names both. A name that finds nobody is returned in `unknown`: the caller must then read every
 * mailbox, never guess.
 */
export function mailboxesNamed(
  names: Iterable<string>,
  users: ReadonlyArray<{ id: string; userPrincipalName: string; mail?: string | null; mailNickname?: string | null; displayName?: string | null }>,
): { ids: Set<string>; unknown: string[] } {
  const index = new Map<string, Set<string>>();
  const add = (key: string | null | undefined, id: string) => {
    if (!key) return;
    const k = key.toLowerCase();
    if (!index.has(k)) index.set(k, new Set());
    index.get(k)!.add(id);
  };
  for (const u of users) {
    for (const key of [u.id, u.userPrincipalName, u.userPrincipalName.split('@')[0], u.mail, u.mailNickname, u.displayName]) add(key, u.id);
  }
  const ids = new Set<string>();
  const unknown: string[] = [];
  for (const name of names) {
    const found = new Set<string>();
    for (const form of nameForms(name)) for (const id of index.get(form.toLowerCase()) ?? []) found.add(id);
    if (found.size) found.forEach((id) => ids.add(id));
    else unknown.push(name);
  }
  return { ids, unknown };
}

/** The ways one name of a mailbox may carry the part the directory knows. */
function nameForms(name: string): string[] {
  const n = name.trim().replace(/^smtp:/i, '');
  const forms = [n];
  // domain\account
  if (n.includes('\\')) forms.push(n.slice(n.lastIndexOf('\\') + 1));
  // A DN (CN=Jo Bloggs,OU=contoso.onmicrosoft.com,…): its CN.
  const cn = /^cn=([^,]+),/i.exec(n)?.[1];
  if (cn) forms.push(cn);
  if (n.includes('/')) {
    // A canonical name (…/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/Jo Bloggs) or
    // a LegacyExchangeDN (/o=ExchangeLabs/…/cn=Recipients/cn=<32 hex>-jo.bloggs): the last part.
    const last = n.slice(n.lastIndexOf('/') + 1).replace(/^cn=/i, '');
    forms.push(last, last.replace(/^[0-9a-f]{32}-/i, ''));
  }
  return forms;
}

/** A site URL as the feed and the site list are matched on. */
export const siteKey = (url: string) => url.replace(/\/+$/, '').toLowerCase();
