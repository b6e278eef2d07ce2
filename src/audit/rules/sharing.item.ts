import { isInsideSchool } from '../../school/school-domains';
import type { Finding } from '../findings';
import type { SnapshotPermission } from '../snapshot';
import type { AuditContext, AuditRule } from './rule';

/** A file or folder anyone with the link can open, no sign-in needed. */
export const sharingItemAnonymousLink: AuditRule = {
  rule: 'sharing.item.anonymous-link',
  evaluate(snapshot) {
    return snapshot.sharedItems
      .filter((i) => i.permissions.some((p) => p.link?.scope === 'anonymous'))
      .map<Finding>((i) => {
        const edit = i.permissions.some((p) => p.link?.scope === 'anonymous' && p.link.type === 'edit');
        return {
          rule: this.rule,
          subject: { type: 'drive-item', id: `${i.driveId}/${i.itemId}`, name: `${i.driveOwner}: ${i.name}` },
          detail: `"${i.name}" (${i.webUrl}) can be ${edit ? 'edited' : 'opened'} by anyone with the link, without signing in.`,
        };
      });
  },
};

type Grantee = SnapshotPermission['grantedTo'][number];

/**
 * Who a SharePoint login name is (sharePointIdentity.loginName, a claims string): a guest account
 * `i:0#.f|membership|jo_gmail.com#ext#@tenant.onmicrosoft.com`, an outsider signed in by code
 * `i:0#.f|membership|urn:spo:guest#jo@gmail.com`, or a member `i:0#.f|membership|jo@school.org.uk`.
 */
export function outsiderByLoginName(loginName: string, schoolDomains: readonly string[]): string | undefined {
  const decoded = decodeURIComponent(loginName);
  // Only a person's claim (`i:0#.f|membership|...`) names someone; role and group claims such as
  // `c:0-.f|rolemanager|spo-grid-all-users/...` ("Everyone except external users") do not.
  if (!/^i:0#\.f\|membership\|/i.test(decoded)) return undefined;
  const claim = decoded.split('|').pop() ?? '';
  const spoGuest = /^urn:spo:guest#(.+)$/i.exec(claim);
  if (spoGuest) return spoGuest[1]!;
  const ext = /^(.+)#ext#@/i.exec(claim);
  if (ext) {
    const local = ext[1]!;
    const at = local.lastIndexOf('_');
    return at > 0 ? `${local.slice(0, at)}@${local.slice(at + 1)}` : local;
  }
  return isInsideSchool(claim, schoolDomains) ? undefined : claim;
}

/** The outsider a grantee is, by email, else by id against the directory's guests, else by login name. */
export function outsiderOf(g: Grantee, ctx: AuditContext): string | undefined {
  if (g.email) return isInsideSchool(g.email, ctx.schoolDomains) ? undefined : g.email;
  const user = g.id ? ctx.userById.get(g.id) : undefined;
  if (user) return user.userType === 'Guest' ? (user.mail ?? user.userPrincipalName) : undefined;
  if (g.loginName) return outsiderByLoginName(g.loginName, ctx.schoolDomains);
  // Nothing says who it is (a SharePoint group, a system principal, an account since deleted): not
  // evidence of an outsider, and flagging every such entry would bury the real findings.
  return undefined;
}

/** A file or folder shared with a named person outside the school's domains. */
export const sharingItemExternalUser: AuditRule = {
  rule: 'sharing.item.external-user',
  evaluate(snapshot, ctx) {
    const findings: Finding[] = [];
    for (const i of snapshot.sharedItems) {
      // People named directly, by invitation, or on a specific-people link; Anyone and organisation
      // links are another rule's (or no) concern.
      const outsiders = i.permissions
        .filter((p) => !p.link || p.link.scope === 'users' || p.link.scope === 'existingAccess')
        .flatMap((p) => p.grantedTo)
        .map((g) => outsiderOf(g, ctx))
        .filter((x): x is string => !!x);
      if (!outsiders.length) continue;
      findings.push({
        rule: this.rule,
        subject: { type: 'drive-item', id: `${i.driveId}/${i.itemId}`, name: `${i.driveOwner}: ${i.name}` },
        detail: `"${i.name}" (${i.webUrl}) is shared with ${[...new Set(outsiders)].join(', ')}.`,
      });
    }
    return findings;
  },
};
