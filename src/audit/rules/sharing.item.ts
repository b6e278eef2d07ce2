import { isInsideSchool } from '../../school/school-domains';
import type { Finding } from '../findings';
import { POLICY } from '../policy-references';
import type { AuditRule } from './rule';

/** A file or folder anyone with the link can open, no sign-in needed. */
export const sharingItemAnonymousLink: AuditRule = {
  id: 'sharing.item.anonymous-link',
  needs: 'sharing.items',
  title: 'File shared by an Anyone link',
  evaluate(snapshot) {
    return snapshot.sharedItems
      .filter((i) => i.permissions.some((p) => p.link?.scope === 'anonymous'))
      .map<Finding>((i) => {
        const edit = i.permissions.some((p) => p.link?.scope === 'anonymous' && p.link.type === 'edit');
        return {
          rule: this.id,
          severity: 'high',
          subject: { type: 'drive-item', id: `${i.driveId}/${i.itemId}`, name: `${i.driveOwner}: ${i.name}` },
          detail: `"${i.name}" (${i.webUrl}) can be ${edit ? 'edited' : 'opened'} by anyone with the link, without signing in.`,
          policyRef: POLICY.personalDataSentSecurely,
          fix: 'Open the file > Share > Manage access, and remove the "Anyone with the link" link; share with named people instead.',
        };
      });
  },
};

/** A file or folder shared with a named person outside the school's domains. */
export const sharingItemExternalUser: AuditRule = {
  id: 'sharing.item.external-user',
  needs: 'sharing.items',
  title: 'File shared with someone outside the school',
  evaluate(snapshot, ctx) {
    const findings: Finding[] = [];
    for (const i of snapshot.sharedItems) {
      const outsiders = i.permissions
        .filter((p) => !p.link)
        .flatMap((p) => p.grantedTo)
        .map((g) => g.email)
        .filter((email): email is string => !!email && !isInsideSchool(email, ctx.schoolDomains));
      if (!outsiders.length) continue;
      findings.push({
        rule: this.id,
        severity: 'high',
        subject: { type: 'drive-item', id: `${i.driveId}/${i.itemId}`, name: `${i.driveOwner}: ${i.name}` },
        detail: `"${i.name}" (${i.webUrl}) is shared with ${[...new Set(outsiders)].join(', ')}.`,
        policyRef: POLICY.personalDataSentSecurely,
        fix: 'Open the file > Share > Manage access, and remove people outside the school unless the DPO has approved the sharing.',
      });
    }
    return findings;
  },
};
