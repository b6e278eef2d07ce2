import { GraphError } from '@microsoft/microsoft-graph-client';
import { ExchangeAccessError, ExchangeNotFoundError, type ExchangeAdmin } from '../../exchange/exchange-admin';
import type { GraphAccess, Page } from '../../graph/graph-access';
import type { Graph, Optional, Present, Selected } from '../../graph/graph-types';
import { AUDIT_AREAS, type AuditArea } from '../controls/areas';
import type { Coverage } from '../findings';
import {
  emptySnapshot,
  type SnapshotGroup,
  type SnapshotInboxRule,
  type SnapshotMeeting,
  type SnapshotPermission,
  type SnapshotUser,
  type TenantSnapshot,
} from '../snapshot';
import { sharePointBudgets } from '../../graph/published-limits';
import { batchGetLists, batchGetObjects, isForbidden } from './graph-collection';
import { mailboxesNamed, readChangeFeed, siteKey, type ChangeFeed } from './change-feed';

export interface CollectProgress {
  phase: string;
  done: number;
  total: number;
  /** SharePoint resource units this area still has to spend, as far as known (the scarce budget). */
  sharePointUnitsLeft?: number;
}

export interface CollectOptions {
  tenantId: string;
  /** Who counts as staff (their calendars are read for meetings they organise). */
  staffGroupMail?: string;
  studentGroupMail?: string;
  /** Delta links from the last run: re-read only what changed in those drives (and groups, under `groups`). */
  previousDeltaLinks?: Record<string, string>;
  /**
   * An incremental run: what changed since this moment is learnt from the unified audit log
   * (change-feed.ts), and only that is read: the drives of the sites whose sharing changed, the
   * mailboxes whose rules changed, the groups `/groups/delta` says changed. An area the log cannot
   * speak for is read as before and the coverage says so.
   */
  changesSince?: Date;
  /** Staff whose calendars the app's subscriptions say did not change in the window: not read again. */
  quietCalendars?: Set<string>;
  teamsPolicies?: unknown;
  /**
   * Licences in the tenant: they set SharePoint's per-minute budget (published-limits.ts). Unknown,
   * the directory's member accounts stand in (one licence each, as in a school).
   */
  licences?: number;
  /** Exchange Online admin API, when the app may use it (Exchange.ManageAsApp). */
  exchange?: ExchangeAdmin;
  onProgress?: (p: CollectProgress) => void;
  now?: () => Date;
}

/** The order areas are reported in: the catalogue's (the sharing read runs alongside the others). */
const COVERAGE_ORDER: readonly string[] = AUDIT_AREAS;

/** Past this many people joining or leaving the staff or students group, every group is read again (fewer calls). */
const MAX_RECLASSIFIED = 50;

/**
 * Drive delta that also reports sharing: items shared directly carry a `shared` facet and, with
 * these preferences, changes of sharing show up as changes.
 */
export const SHARING_DELTA_PREFER = 'hierarchicalsharing, deltashowsharingchanges, deltashowremovedasdeleted, deltatraversepermissiongaps';

interface DriveItemDelta extends Present<Graph.DriveItem, 'id' | 'name' | 'webUrl'>, Optional<Graph.DriveItem, 'shared' | 'deleted' | 'parentReference'> {
  id: string;
  name: string;
  webUrl: string;
  /** Empty (`{}`) on a permission hierarchy's root or where sharing was removed. */
  shared?: { scope?: string; owner?: object };
  deleted?: object;
  parentReference?: { driveId?: string };
}

/** sharePointIdentitySet (open type: the live service adds `email` to its identities). */
interface SharePointIdentitySet {
  user?: { id?: string; email?: string; displayName?: string };
  siteUser?: { id?: string; email?: string; displayName?: string; loginName?: string };
}

interface GraphPermission {
  id: string;
  roles: string[];
  link?: { scope?: string; type?: string };
  grantedToV2?: SharePointIdentitySet;
  grantedToIdentitiesV2?: SharePointIdentitySet[];
  invitation?: { email?: string; signInRequired?: boolean };
}

interface GraphEvent
  extends Present<Graph.Event, 'id' | 'subject' | 'isOrganizer' | 'isOnlineMeeting' | 'start' | 'attendees'>, Selected<Graph.Event, 'onlineMeeting'> {
  id: string;
  subject: string;
  isOrganizer: boolean;
  isOnlineMeeting: boolean;
  start: { dateTime: string };
  onlineMeeting: { joinUrl: string } | null;
  attendees: Array<{ emailAddress: { address: string; name?: string } }>;
}

export class TenantCollector {
  private readonly coverage: Coverage[] = [];
  private readonly totals = new Map<string, number>();

  constructor(
    private readonly graph: GraphAccess,
    private readonly options: CollectOptions,
  ) {}

  async collect(): Promise<TenantSnapshot> {
    const snapshot = emptySnapshot(this.options.tenantId, (this.options.now ?? (() => new Date()))());
    await this.area('directory', 'User.Read.All', async () => {
      snapshot.users = await this.graph.all<SnapshotUser>('/users?$select=id,displayName,userPrincipalName,mail,mailNickname,userType&$top=999');
    });
    // SharePoint's budget is the scarce one: spend it no faster than it refills rather than meet 429s.
    const feed = this.options.changesSince ? await this.changeFeed(this.options.changesSince) : undefined;
    const licences = this.options.licences ?? snapshot.users.filter((u) => u.userType === 'Member').length;
    if (licences > 0) this.graph.paceSharePoint(sharePointBudgets(licences).perMinute);
    // Before the sites are listed, the best guess at the scarce work: a OneDrive delta (2 units) per member.
    this.progress('sharing.items', 0, licences, 2 * licences);
    let sharingPartial: string | undefined;
    let sharingNote: string | undefined;
    // SharePoint's budget binds the whole audit, so its reads start at once and run alongside the
    // other areas (which spend other services' budgets) instead of waiting their turn.
    const sharing = this.area(
      'sharing.items',
      'Files.Read.All and Sites.Read.All',
      async () => {
        const { items, deltaLinks, changed, incremental, deltaSeesSharing, unresolved, readWhole } = await this.sharedItems(snapshot.users, feed);
        snapshot.sharedItems = items;
        snapshot.deltaLinks = { ...snapshot.deltaLinks, ...deltaLinks };
        if (this.options.previousDeltaLinks) {
          snapshot.changedDriveItems = changed;
          (snapshot.incremental ??= {}).drivesRead = readWhole;
        }
        if (!incremental || deltaSeesSharing) return;
        if (!feed?.sharingItems) {
          sharingPartial =
            'partial: sharing changes since the last run are only seen with Sites.FullControl.All; run a full audit (without --since-last) for a complete check';
        } else if (unresolved.length) {
          sharingPartial = `partial: ${unresolved.length} item(s) the audit log says were shared or unshared could not be found by their path (moved or deleted since?): ${unresolved.slice(0, 5).join(', ')}; the weekly full sweep reads them`;
        } else {
          sharingNote =
            "sharing changes since the last run were learnt from the audit log and each changed item's permissions read (drive delta does not report them without Sites.FullControl.All)";
        }
      },
      () => sharingPartial ?? (feed?.unavailable.sharing ? `partial: ${fellBack('sharing', feed.unavailable.sharing)}` : undefined),
      () => sharingNote,
    );
    // Awaited at the end; until then a failure must not count as unhandled.
    sharing.catch(() => undefined);
    await this.area('groups.membership', 'GroupMember.Read.All', async () => {
      const { groups, deltaLink, readOnly } = await this.groupsSince(this.options.changesSince ? this.options.previousDeltaLinks?.groups : undefined);
      snapshot.groups = groups;
      if (deltaLink) snapshot.deltaLinks = { ...snapshot.deltaLinks, groups: deltaLink };
      if (readOnly) (snapshot.incremental ??= {}).groupsRead = readOnly;
    });
    let rulesNote: string | undefined;
    await this.area(
      'mail.inbox-rules',
      'MailboxSettings.Read',
      async () => {
        // The records name mailboxes as Exchange does (an alias, a display name, an id...), not always by sign-in name.
        const named = feed?.ruleMailboxes && mailboxesNamed(feed.ruleMailboxes, snapshot.users);
        if (named?.unknown.length) {
          // A mailbox the directory does not know by that name: never guess which, read them all.
          rulesNote = `every mailbox's rules were read: the audit log named ${named.unknown.length} mailbox(es) not found in the directory (${named.unknown.slice(0, 3).join(', ')})`;
        }
        const only = named && !named.unknown.length ? named.ids : undefined;
        snapshot.inboxRules = await this.inboxRules(snapshot.users, only);
        if (only) (snapshot.incremental ??= {}).mailboxesRead = snapshot.users.filter((u) => only.has(u.id)).map((u) => u.id);
      },
      // Read in full, so complete: only slower than it could have been.
      () => undefined,
      () => rulesNote ?? (feed?.unavailable.rules ? fellBack('rules', feed.unavailable.rules) : undefined),
    );
    await this.exchangeArea('mail.mailbox-forwarding', 'mailbox forwarding is not in Microsoft Graph', async (exchange) => {
      // Forwarding lives in two places (Set-Mailbox): ForwardingSmtpAddress, a raw address, and
      // ForwardingAddress, a recipient in Exchange (a mail contact may point outside the school).
      type Mailbox = {
        ExternalDirectoryObjectId: string;
        UserPrincipalName: string;
        ForwardingSmtpAddress: string | null;
        ForwardingAddress?: string | null;
        DeliverToMailboxAndForward: boolean;
      };
      type Recipient = { PrimarySmtpAddress?: string | null; ExternalEmailAddress?: string | null };
      const mailboxes = await exchange.invoke<Mailbox>('Get-Mailbox', { ResultSize: 'Unlimited' });
      const out: NonNullable<TenantSnapshot['mailboxForwarding']> = [];
      for (const m of mailboxes) {
        const base = { userId: m.ExternalDirectoryObjectId, userPrincipalName: m.UserPrincipalName, keepsCopy: m.DeliverToMailboxAndForward };
        if (m.ForwardingSmtpAddress) out.push({ ...base, forwardingSmtpAddress: m.ForwardingSmtpAddress.replace(/^smtp:/i, '') });
        if (m.ForwardingAddress) {
          // A recipient since deleted is not there to ask (404): reported by the name the mailbox still forwards to.
          const [r] = await exchange.invoke<Recipient>('Get-Recipient', { Identity: m.ForwardingAddress }).catch((e: unknown) => {
            if (e instanceof ExchangeNotFoundError) return [];
            throw e;
          });
          const address = (r?.ExternalEmailAddress || r?.PrimarySmtpAddress || '').replace(/^smtp:/i, '');
          // A recipient Exchange cannot resolve is reported, not assumed to be inside the school.
          out.push({ ...base, forwardingSmtpAddress: address || m.ForwardingAddress, forwardingRecipient: m.ForwardingAddress });
        }
      }
      snapshot.mailboxForwarding = out;
    });
    await this.exchangeArea('mail.tenant-auto-forward', 'remote domains and the outbound spam policy are not in Microsoft Graph', async (exchange) => {
      snapshot.autoForward = {
        outboundPolicies: await exchange.invoke('Get-HostedOutboundSpamFilterPolicy'),
        remoteDomains: await exchange.invoke('Get-RemoteDomain'),
      };
    });
    await this.area('sharing.tenant-settings', 'SharePointTenantSettings.Read.All', async () => {
      snapshot.sharepointSettings = await this.graph.get(
        '/admin/sharepoint/settings?$select=sharingCapability,sharingDomainRestrictionMode,isResharingByExternalUsersEnabled',
      );
    });
    await this.area('tenant.guest-settings', 'Policy.Read.All', async () => {
      snapshot.authorizationPolicy = await this.graph.get('/policies/authorizationPolicy');
    });
    await this.area('tenant.cross-tenant-access', 'Policy.Read.All', async () => {
      snapshot.crossTenantDefault = await this.graph.get('/policies/crossTenantAccessPolicy/default');
    });
    let meetingsPartial: string | undefined;
    await this.area(
      'meetings.calendars',
      'Calendars.ReadBasic.All and OnlineMeetings.Read.All',
      async () => {
        const { meetings, organisersNotCovered, read } = await this.meetings(snapshot);
        snapshot.meetings = meetings;
        if (this.options.quietCalendars) (snapshot.incremental ??= {}).calendarsRead = read;
        if (organisersNotCovered.length) {
          const names = organisersNotCovered.map((id) => snapshot.users.find((u) => u.id === id)?.userPrincipalName ?? id);
          meetingsPartial = `partial: meeting settings (records automatically?) not checked for ${names.join(', ')}: the Teams application access policy does not cover them (Grant-CsApplicationAccessPolicy); their meetings' attendees were checked from their calendars`;
        }
      },
      () => meetingsPartial,
    );
    if (this.options.teamsPolicies !== undefined) {
      snapshot.teamsPolicies = this.options.teamsPolicies;
      this.coverage.push({ check: 'teams.policies', status: 'checked' });
    } else {
      this.notChecked(
        'teams.policies',
        'not checked: Teams meeting and federation policies are not in Graph; pass --teams-policy with an export (docs/audit.md)',
      );
    }
    await sharing;
    // In the audit's order whatever finished first.
    const order = (c: Coverage) => {
      const i = COVERAGE_ORDER.indexOf(c.check);
      return i < 0 ? COVERAGE_ORDER.length : i;
    };
    snapshot.coverage = [...this.coverage].sort((a, b) => order(a) - order(b));
    return snapshot;
  }

  private progress(phase: string, done: number, total: number, sharePointUnitsLeft?: number) {
    this.totals.set(phase, total);
    this.options.onProgress?.({ phase, done, total, ...(sharePointUnitsLeft !== undefined ? { sharePointUnitsLeft } : {}) });
  }

  /** A counter for an area's batched reads: each answer moves it on. */
  private counter(phase: string, total: number, unitsEach = 0, offset = 0, stepsAfter = 0) {
    let done = 0;
    this.progress(phase, offset, offset + total + stepsAfter, total * unitsEach);
    return (count: number) => {
      done += count;
      this.progress(phase, offset + done, offset + total + stepsAfter, (total - done) * unitsEach);
    };
  }

  private notChecked(check: AuditArea, reason: string) {
    this.coverage.push({ check, status: 'not-checked', reason });
  }

  /** One area of the audit; a 403 makes it "not checked: missing X", never a crash or a pass. */
  private async area(
    check: AuditArea,
    permission: string,
    work: () => Promise<void>,
    partial: () => string | undefined = () => undefined,
    note: () => string | undefined = () => undefined,
  ): Promise<void> {
    if (!this.totals.has(check)) this.progress(check, 0, 1);
    try {
      await work();
      const reason = partial();
      const said = note();
      this.coverage.push(reason ? { check, status: 'partial', reason } : said ? { check, status: 'checked', reason: said } : { check, status: 'checked' });
    } catch (e) {
      if (!isForbidden(e)) throw e;
      this.notChecked(check, `not checked: missing ${permission}`);
    }
    const total = this.totals.get(check) ?? 1;
    this.progress(check, total, total, 0);
  }

  /** An Exchange-only check: without the Exchange admin API it is plainly not checked. */
  private async exchangeArea(check: AuditArea, why: string, work: (exchange: ExchangeAdmin) => Promise<void>): Promise<void> {
    const exchange = this.options.exchange;
    if (!exchange) return this.notChecked(check, `not checked: needs Exchange.ManageAsApp (${why})`);
    try {
      await work(exchange);
      this.coverage.push({ check, status: 'checked' });
    } catch (e) {
      if (!(e instanceof ExchangeAccessError)) throw e;
      this.notChecked(check, `not checked: needs Exchange.ManageAsApp and an Exchange administrator role (${why})`);
    }
  }

  /**
   * The school's groups with their members and owners. A full run first takes a `/groups/delta`
   * link ($deltatoken=latest: a link and no data, group-delta.md) so the next run can ask what
   * changed since; an incremental run follows that link and reads the members and owners of the
   * groups that changed, and of the staff and students groups, which say who is staff and who is a
   * student. A change to one of those two, or an expired link, means reading them all.
   */
  private async groupsSince(previousLink: string | undefined): Promise<{ groups: SnapshotGroup[]; deltaLink?: string; readOnly?: string[] }> {
    const select = 'id,displayName,mail,resourceProvisioningOptions,members';
    const classifying = [this.options.staffGroupMail, this.options.studentGroupMail].filter((m): m is string => !!m).map((m) => m.toLowerCase());
    if (previousLink) {
      type Member = { id: string; '@removed'?: object };
      type Changed = {
        id: string;
        displayName?: string;
        mail?: string | null;
        resourceProvisioningOptions?: string[];
        '@removed'?: object;
        'members@delta'?: Member[];
      };
      const changes = await this.graph.delta<Changed>(previousLink).catch((e: unknown) => {
        if (e instanceof GraphError && e.statusCode === 410) return undefined;
        throw e;
      });
      // A large group's members come over several pages, the group repeated on each (delta-query-groups.md).
      const byId = new Map<string, Changed>();
      for (const c of changes?.items ?? []) {
        const was = byId.get(c.id);
        byId.set(c.id, { ...was, ...c, 'members@delta': [...(was?.['members@delta'] ?? []), ...(c['members@delta'] ?? [])] });
      }
      // delta-query-overview.md: an updated object comes "with at least the properties that have been
      // updated": a change of members alone may be the id and members@delta. Its name, address and
      // whether it is a team are then read from the directory, so it is read again, not taken as
      // gone (its findings would be lost for a run); one since deleted (404) is gone.
      const partial = [...byId.values()].filter(
        (c) => !c['@removed'] && (c.displayName === undefined || !('mail' in c) || !('resourceProvisioningOptions' in c)),
      );
      let filled = true;
      if (changes?.deltaLink && partial.length) {
        const read = await batchGetObjects<Changed>(
          this.graph,
          partial.map((c) => ({ id: c.id, url: `/groups/${c.id}?$select=id,displayName,mail,resourceProvisioningOptions` })),
        );
        for (const c of partial) {
          const answer = read.get(c.id);
          if (answer?.body) byId.set(c.id, { ...answer.body, ...c });
          else if (answer?.status === 404) byId.set(c.id, { ...c, '@removed': { reason: 'deleted' } });
          // Anything else: no guessing, every group is read as in a full run.
          else filled = false;
        }
      }
      // Joining or leaving the staff or students group changes who that person is in every other
      // group: those groups are read again too (found from the person's memberOf).
      const reclassified = new Set(
        [...byId.values()].filter((c) => c.mail && classifying.includes(c.mail.toLowerCase())).flatMap((c) => (c['members@delta'] ?? []).map((m) => m.id)),
      );
      if (changes?.deltaLink && filled && reclassified.size <= MAX_RECLASSIFIED) {
        const present = [...byId.values()].filter((c) => !c['@removed'] && c.displayName !== undefined);
        const known = new Set(present.map((c) => c.id));
        const add = (found: Changed[]) => {
          for (const g of found) {
            if (known.has(g.id) || g.displayName === undefined) continue;
            known.add(g.id);
            present.push(g);
          }
        };
        for (const mail of classifying) {
          add(
            await this.graph.all<Changed>(
              `/groups?$filter=${encodeURIComponent(`mail eq '${mail.replace(/'/g, "''")}'`)}&$select=id,displayName,mail,resourceProvisioningOptions`,
            ),
          );
        }
        const memberships = await batchGetLists<Changed & { '@odata.type'?: string }>(
          this.graph,
          [...reclassified].map((id) => ({ id, url: `/users/${id}/memberOf?$select=id,displayName,mail,resourceProvisioningOptions&$top=999` })),
        );
        for (const list of memberships.values()) add(list.value.filter((o) => !o['@odata.type'] || o['@odata.type'] === '#microsoft.graph.group'));
        const groups = await this.membersOf(
          present.map((g) => ({
            id: g.id,
            displayName: g.displayName ?? '',
            mail: g.mail ?? null,
            resourceProvisioningOptions: g.resourceProvisioningOptions ?? [],
          })),
        );
        return { groups, deltaLink: changes.deltaLink, readOnly: [...new Set([...byId.keys(), ...known])] };
      }
    }
    // Taken before the groups are read, so a change made while they are read is seen again next time.
    const latest = await this.graph.delta(`/groups/delta?$select=${select}&$deltatoken=latest`).catch(() => undefined);
    const groups = await this.groups();
    return { groups, ...(latest?.deltaLink ? { deltaLink: latest.deltaLink } : {}) };
  }

  private async groups(): Promise<SnapshotGroup[]> {
    const groups = await this.graph.all<
      Present<Graph.Group, 'id' | 'displayName'> & Selected<Graph.Group, 'mail'> & Optional<Graph.Group, 'resourceProvisioningOptions'>
    >('/groups?$select=id,displayName,mail,resourceProvisioningOptions&$top=999');
    return this.membersOf(groups);
  }

  private async membersOf(
    groups: Array<Present<Graph.Group, 'id' | 'displayName'> & Selected<Graph.Group, 'mail'> & Optional<Graph.Group, 'resourceProvisioningOptions'>>,
  ): Promise<SnapshotGroup[]> {
    const requests = groups.flatMap((g) => [
      { id: `m:${g.id}`, url: `/groups/${g.id}/members?$select=id&$top=999` },
      { id: `o:${g.id}`, url: `/groups/${g.id}/owners?$select=id&$top=999` },
    ]);
    const lists = await batchGetLists<{ id: string }>(this.graph, requests, { onAnswered: this.counter('groups.membership', requests.length) });
    return groups.map((g) => ({
      id: g.id,
      displayName: g.displayName,
      mail: g.mail,
      isTeam: (g.resourceProvisioningOptions ?? []).includes('Team'),
      memberIds: (lists.get(`m:${g.id}`)?.value ?? []).map((m) => m.id),
      ownerIds: (lists.get(`o:${g.id}`)?.value ?? []).map((m) => m.id),
    }));
  }

  /** Forwarding inbox rules; an incremental run reads only the mailboxes of `only` (user ids). */
  private async inboxRules(users: SnapshotUser[], only?: Set<string>): Promise<Record<string, SnapshotInboxRule[]>> {
    const mailboxes = users.filter((u) => u.userType === 'Member' && u.mail && (!only || only.has(u.id)));
    const lists = await batchGetLists<SnapshotInboxRule>(
      this.graph,
      mailboxes.map((u) => ({ id: u.id, url: `/users/${u.id}/mailFolders/inbox/messageRules?$select=id,displayName,isEnabled,actions` })),
      { onAnswered: this.counter('mail.inbox-rules', mailboxes.length) },
    );
    const out: Record<string, SnapshotInboxRule[]> = {};
    for (const [userId, list] of lists) {
      const forwarding = list.value.filter((r) => r.actions?.forwardTo?.length || r.actions?.redirectTo?.length || r.actions?.forwardAsAttachmentTo?.length);
      if (forwarding.length) out[userId] = forwarding;
    }
    return out;
  }

  /** The unified audit log since `since`, up to now; an area it cannot speak for is read in full. */
  private async changeFeed(since: Date): Promise<ChangeFeed> {
    const now = this.options.now ?? (() => new Date());
    return readChangeFeed(this.graph, { from: since, to: now() }, () => now().getTime());
  }

  private async sharedItems(users: SnapshotUser[], feed?: ChangeFeed) {
    const onlySites = feed?.sharingSites;
    // Every site collection (site-getallsites.md), OneDrives included as personal sites: a OneDrive
    // never opened has none, so listing them costs a page per 200 sites where asking each person
    // for theirs cost a call each, 404 for every student who never opened it. (Site search goes
    // through an index that lags behind new sites: not for an enumeration.)
    const members = users.filter((u) => u.userType === 'Member');
    type Site = { id: string; displayName: string; webUrl?: string; isPersonalSite?: boolean };
    const listed = await this.graph.all<Site>('/sites/getAllSites?$select=id,displayName,webUrl,isPersonalSite');
    // An incremental run reads only the sites whose sharing the audit log says changed.
    const allSites = onlySites ? listed.filter((s) => s.webUrl && onlySites.has(siteKey(s.webUrl))) : listed;
    const sites = allSites.filter((s) => !s.isPersonalSite);
    const siteDrives = await batchGetLists<{ id: string; webUrl?: string }>(
      this.graph,
      sites.map((s) => ({ id: s.id, url: `/sites/${s.id}/drives?$select=id,webUrl` })),
    );
    // A personal site's URL ends in its owner's sign-in name with '@' and '.' as '_' (…/personal/jo_school_org):
    // only to name the owner; an unmatched one is named by its URL, and read all the same.
    const ownerByPath = new Map(members.map((u) => [u.userPrincipalName.toLowerCase().replace(/[@.]/g, '_'), u.userPrincipalName]));
    const sources: Array<{ key: string; owner: string; url: string }> = allSites
      .filter((s) => s.isPersonalSite)
      .map((s) => {
        const path = (s.webUrl ?? '').replace(/\/+$/, '').split('/').pop()?.toLowerCase() ?? '';
        return { key: `site:${s.id}`, owner: ownerByPath.get(path) ?? s.webUrl ?? s.displayName, url: `/sites/${s.id}/drive/root/delta` };
      });
    const seen = new Set<string>();
    for (const s of sites) {
      for (const d of siteDrives.get(s.id)?.value ?? []) {
        if (seen.has(d.id)) continue;
        seen.add(d.id);
        sources.push({ key: d.id, owner: s.displayName, url: `/drives/${d.id}/root/delta` });
      }
    }

    const previous = this.options.previousDeltaLinks ?? {};
    const select = '?$select=id,name,webUrl,shared,deleted,parentReference&$top=999';
    const fullDelta = new Map(sources.map((s) => [s.key, `${s.url}${select}`]));
    const deltas = await batchGetLists<DriveItemDelta>(
      this.graph,
      sources.map((s) => ({
        id: s.key,
        url: previous[s.key] ? this.graph.relative(previous[s.key]!) : fullDelta.get(s.key)!,
        headers: { Prefer: SHARING_DELTA_PREFER },
      })),
      // One more step than drives: the permissions still to come, so the area is not shown done early.
      { onAnswered: this.counter('sharing.items', sources.length, 2, 0, 1) },
    );
    // An expired delta link answers 410 Gone (resyncChangesApplyDifferences): that drive is read
    // again from the start, never taken as unchanged.
    const expired = sources.filter((s) => previous[s.key] && deltas.get(s.key)?.status === 410).map((s) => s.key);
    if (expired.length) {
      const again = await batchGetLists<DriveItemDelta>(
        this.graph,
        expired.map((key) => ({ id: key, url: fullDelta.get(key)!, headers: { Prefer: SHARING_DELTA_PREFER } })),
      );
      for (const key of expired) deltas.set(key, again.get(key)!);
    }
    const driveOwners = new Map<string, string>();
    const deltaLinks: Record<string, string> = {};
    const sharedRefs: Array<{ driveId: string; item: DriveItemDelta }> = [];
    const changed: string[] = [];
    for (const source of sources) {
      const d = deltas.get(source.key);
      if (d?.deltaLink) deltaLinks[source.key] = d.deltaLink;
      for (const item of d?.value ?? []) {
        const driveId = item.parentReference?.driveId ?? source.key;
        driveOwners.set(driveId, source.owner);
        changed.push(`${driveId}/${item.id}`);
        if (isShared(item) && !item.deleted) sharedRefs.push({ driveId, item });
      }
    }
    const incremental = sources.some((s) => previous[s.key] && !expired.includes(s.key));
    // A drive read from the start in an incremental run (its link expired, 410 resync; or it had
    // none) is read whole: its items are all in `changed`, and one deleted meanwhile is in no
    // fresh enumeration, so the last run's findings about that drive are not carried over at all.
    const readWhole = new Set<string>();
    if (this.options.previousDeltaLinks) {
      for (const source of sources.filter((s) => !previous[s.key] || expired.includes(s.key))) {
        const d = deltas.get(source.key);
        if (d?.status !== 200) continue;
        if (!source.key.startsWith('site:')) readWhole.add(source.key);
        for (const item of d.value) if (item.parentReference?.driveId) readWhole.add(item.parentReference.driveId);
      }
    }
    // driveitem-delta.md: "to process permissions correctly your application will need to request
    // Sites.FullControl.All". Without it a change of sharing alone does not show in delta, so the
    // items the audit log names are read one by one instead.
    const roles = await this.graph.grantedRoles();
    const deltaSeesSharing = !roles || roles.includes('Sites.FullControl.All');
    let unresolved: string[] = [];
    if (incremental && !deltaSeesSharing && feed?.sharingItems?.length) {
      const named = await this.itemsNamedByAuditLog(feed.sharingItems, allSites, siteDrives, ownerByPath);
      unresolved = named.unresolved;
      const refs = new Set(sharedRefs.map((r) => `${r.driveId}/${r.item.id}`));
      for (const { driveId, owner, item } of named.found) {
        const key = `${driveId}/${item.id}`;
        driveOwners.set(driveId, owner);
        if (!changed.includes(key)) changed.push(key);
        if (isShared(item) && !refs.has(key)) {
          refs.add(key);
          sharedRefs.push({ driveId, item });
        }
      }
    }

    // Permissions only for items that carry sharing: 5 resource units each, so never for every item.
    const permissions = await batchGetLists<GraphPermission>(
      this.graph,
      sharedRefs.map((r) => ({ id: `${r.driveId}/${r.item.id}`, url: `/drives/${r.driveId}/items/${r.item.id}/permissions` })),
      { onAnswered: this.counter('sharing.items', sharedRefs.length, 5, sources.length) },
    );
    const items = sharedRefs.map((r) => ({
      driveId: r.driveId,
      itemId: r.item.id,
      name: r.item.name,
      webUrl: r.item.webUrl,
      driveOwner: driveOwners.get(r.driveId) ?? '',
      permissions: (permissions.get(`${r.driveId}/${r.item.id}`)?.value ?? []).map(toPermission),
    }));
    return { items, deltaLinks, changed, incremental, deltaSeesSharing, unresolved, readWhole: [...readWhole] };
  }

  /**
   * The items the audit log's sharing records name, each found by its path in its library
   * (driveitem-get.md, `GET /drives/{drive-id}/root:/{item-path}`: Files.Read.All, one SharePoint
   * resource unit). `/shares/{u!…}/driveItem` takes the URL as it is, but needs Files.ReadWrite.All
   * for an app (shares-get.md): more than a read-only audit should hold. The library is the one
   * whose URL the item's begins with; a OneDrive's is asked of its personal site (1 unit each).
   */
  private async itemsNamedByAuditLog(
    named: NonNullable<ChangeFeed['sharingItems']>,
    sites: Array<{ id: string; displayName: string; webUrl?: string; isPersonalSite?: boolean }>,
    siteDrives: Map<string, { value: Array<{ id: string; webUrl?: string }> }>,
    ownerByPath: Map<string, string>,
  ): Promise<{ found: Array<{ driveId: string; owner: string; item: DriveItemDelta }>; unresolved: string[] }> {
    const wanted = new Set(named.map((n) => n.site));
    const mine = sites.filter((s) => s.webUrl && wanted.has(siteKey(s.webUrl)));
    const personal = await batchGetObjects<{ id: string; webUrl?: string }>(
      this.graph,
      mine.filter((s) => s.isPersonalSite).map((s) => ({ id: s.id, url: `/sites/${s.id}/drive?$select=id,webUrl` })),
    );
    const libraries: Array<{ driveId: string; url: string; owner: string }> = [];
    for (const s of mine) {
      const drives = s.isPersonalSite ? [personal.get(s.id)?.body].filter((d) => !!d) : (siteDrives.get(s.id)?.value ?? []);
      const owner = s.isPersonalSite
        ? (ownerByPath.get((s.webUrl ?? '').replace(/\/+$/, '').split('/').pop()?.toLowerCase() ?? '') ?? s.webUrl ?? '')
        : s.displayName;
      for (const d of drives) if (d?.webUrl) libraries.push({ driveId: d.id, url: urlKey(d.webUrl), owner });
    }
    const requests: Array<{ id: string; url: string; driveId: string; owner: string; named: string }> = [];
    const unresolved: string[] = [];
    for (const n of named) {
      const url = urlKey(n.url);
      // The longest library URL the item's begins with (a site can have several libraries).
      const library = libraries.filter((l) => url.startsWith(`${l.url}/`)).sort((a, b) => b.url.length - a.url.length)[0];
      if (!library) {
        unresolved.push(n.url);
        continue;
      }
      const path = decoded(n.url)
        .replace(/\/+$/, '')
        .slice(library.url.length + 1);
      const encoded = path.split('/').map(encodeURIComponent).join('/');
      requests.push({
        id: String(requests.length),
        url: `/drives/${library.driveId}/root:/${encoded}?$select=id,name,webUrl,shared,parentReference`,
        driveId: library.driveId,
        owner: library.owner,
        named: n.url,
      });
    }
    const answers = await batchGetObjects<DriveItemDelta>(this.graph, requests);
    const found: Array<{ driveId: string; owner: string; item: DriveItemDelta }> = [];
    for (const r of requests) {
      const item = answers.get(r.id)?.body;
      if (item) found.push({ driveId: item.parentReference?.driveId ?? r.driveId, owner: r.owner, item });
      else unresolved.push(r.named);
    }
    return { found, unresolved };
  }

  private async meetings(snapshot: TenantSnapshot): Promise<{ meetings: SnapshotMeeting[]; organisersNotCovered: string[]; read: string[] }> {
    const staffGroup = snapshot.groups.find((g) => g.mail?.toLowerCase() === this.options.staffGroupMail?.toLowerCase());
    const staffIds = new Set(staffGroup?.memberIds ?? []);
    const quiet = this.options.quietCalendars;
    const staff = snapshot.users.filter((u) => staffIds.has(u.id) && !quiet?.has(u.id));
    const select = '$select=id,subject,isOrganizer,isOnlineMeeting,start,onlineMeeting,attendees&$top=100';
    const calendars = await batchGetLists<GraphEvent>(
      this.graph,
      staff.map((u) => ({ id: u.id, url: `/users/${u.id}/events?${select}` })),
      { onAnswered: this.counter('meetings.calendars', staff.length) },
    );
    const meetings: SnapshotMeeting[] = [];
    for (const [organizerId, list] of calendars) {
      for (const e of list.value) {
        // Only meetings staff organise: joining a third party's meeting is allowed by policy.
        if (!e.isOrganizer || !e.isOnlineMeeting) continue;
        meetings.push({
          eventId: e.id,
          organizerId,
          subject: e.subject,
          start: e.start.dateTime,
          joinUrl: e.onlineMeeting?.joinUrl ?? null,
          attendees: e.attendees.map((a) => ({ address: a.emailAddress.address, ...(a.emailAddress.name ? { name: a.emailAddress.name } : {}) })),
        });
      }
    }
    // The meeting's settings (records automatically?) live on the onlineMeeting, found by join URL.
    // Each organiser needs the Teams application access policy: a 403 for one leaves only their
    // meetings' settings unread. Attendees (and so outsiders) come from the calendar event alone.
    const withUrl = meetings.filter((m) => m.joinUrl);
    const online = await batchGetLists<Present<Graph.OnlineMeeting, 'id' | 'recordAutomatically'>>(
      this.graph,
      withUrl.map((m) => ({ id: m.eventId, url: `/users/${m.organizerId}/onlineMeetings?$filter=${encodeURIComponent(`JoinWebUrl eq '${m.joinUrl}'`)}` })),
      { forbiddenPerMember: true },
    );
    const organisersNotCovered = new Set<string>();
    for (const m of withUrl) {
      const answer = online.get(m.eventId);
      if (answer?.status === 403 || answer?.status === 401) organisersNotCovered.add(m.organizerId);
      const found = answer?.value[0];
      if (found) {
        m.onlineMeetingId = found.id;
        m.recordAutomatically = found.recordAutomatically;
      }
    }
    // Without OnlineMeetings.Read.All at all, every organiser is refused: the area is not checked.
    if (withUrl.length && withUrl.every((m) => organisersNotCovered.has(m.organizerId)) && !(await this.mayReadMeetings())) {
      throw new GraphError(403, 'the app lacks OnlineMeetings.Read.All');
    }
    return { meetings, organisersNotCovered: [...organisersNotCovered], read: staff.map((u) => u.id) };
  }

  /** Whether the token grants online meeting reads at all (unknown: assume so, and say per organiser). */
  private async mayReadMeetings(): Promise<boolean> {
    const roles = await this.graph.grantedRoles();
    return !roles || roles.some((r) => r === 'OnlineMeetings.Read.All' || r === 'OnlineMeetings.ReadWrite.All');
  }
}

/**
 * An empty `shared: {}` (Prefer: hierarchicalsharing) marks the root of a permission hierarchy or
 * sharing removed: not sharing, and not worth a 5-unit permissions call (driveitem-delta.md).
 */
/** A URL as library and item URLs are matched on: decoded, lower case, no trailing slash. */
const urlKey = (url: string) => decoded(url).replace(/\/+$/, '').toLowerCase();
const decoded = (url: string) => {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
};

/** What the coverage line says when an area could not learn its changes from the audit log. */
function fellBack(area: 'sharing' | 'rules', why: string): string {
  return area === 'sharing'
    ? `changes since the last run were read from every drive's delta, not learnt from the audit log (${why})`
    : `every mailbox's rules were read: changes since the last run could not be learnt from the audit log (${why})`;
}

export function isShared(item: { shared?: object }): boolean {
  return !!item.shared && Object.keys(item.shared).length > 0;
}

/** One grantee from a sharePointIdentitySet: the Entra user, else the SharePoint site user. */
function grantee(set: SharePointIdentitySet | undefined): SnapshotPermission['grantedTo'][number] | undefined {
  if (!set) return undefined;
  const u = set.user;
  const site = set.siteUser;
  if (!u && !site) return undefined;
  const out: SnapshotPermission['grantedTo'][number] = {};
  const id = u?.id;
  const email = u?.email ?? site?.email;
  const displayName = u?.displayName ?? site?.displayName;
  if (id) out.id = id;
  if (email) out.email = email;
  if (displayName) out.displayName = displayName;
  if (site?.loginName) out.loginName = site.loginName;
  return out;
}

export function toPermission(p: GraphPermission): SnapshotPermission {
  // permission.md: user permissions name their person in grantedToV2; a specific-people link in
  // grantedToIdentitiesV2; an invitation not yet redeemed only in invitation.email.
  const grantees = [grantee(p.grantedToV2), ...(p.grantedToIdentitiesV2 ?? []).map(grantee)].filter((g): g is NonNullable<typeof g> => !!g);
  if (p.invitation?.email && !grantees.some((g) => g.email?.toLowerCase() === p.invitation!.email!.toLowerCase())) grantees.push({ email: p.invitation.email });
  return { id: p.id, roles: p.roles, ...(p.link ? { link: { scope: p.link.scope ?? 'users', type: p.link.type ?? 'view' } } : {}), grantedTo: grantees };
}

export type { Page };
