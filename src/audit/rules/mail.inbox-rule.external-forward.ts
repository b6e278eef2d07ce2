import { isInsideSchool } from '../../school/school-domains';
import type { Finding } from '../findings';
import type { AuditRule } from './rule';
import { nameOf } from './rule';

/**
 * An inbox rule that sends the school's mail outside the school: personal data leaves by email,
 * which the policies forbid. A disabled rule is reported too, at low severity: one click re-arms it.
 */
export const mailInboxRuleExternalForward: AuditRule = {
  rule: 'mail.inbox-rule.external-forward',
  evaluate(snapshot, ctx) {
    const findings: Finding[] = [];
    for (const [userId, rules] of Object.entries(snapshot.inboxRules)) {
      const outside = rules
        .map((r) => ({
          rule: r,
          targets: [...(r.actions.forwardTo ?? []), ...(r.actions.redirectTo ?? []), ...(r.actions.forwardAsAttachmentTo ?? [])]
            .map((a) => a.emailAddress.address)
            .filter((address) => !isInsideSchool(address, ctx.schoolDomains)),
        }))
        .filter((x) => x.targets.length > 0);
      if (!outside.length) continue;
      const enabled = outside.some((x) => x.rule.isEnabled);
      const who = ctx.studentIds.has(userId) ? 'a student' : ctx.staffIds.has(userId) ? 'a member of staff' : 'a user';
      findings.push({
        rule: this.rule,
        subject: { type: 'mailbox', id: userId, name: nameOf(ctx, userId) },
        detail: `The mailbox of ${who} has ${outside.map((x) => `${x.rule.isEnabled ? '' : 'a disabled '}rule "${x.rule.displayName}" sending to ${x.targets.join(', ')}`).join('; ')}.`,
        ...(enabled ? {} : { severity: 'low' as const, action: 'Delete the disabled rule so it cannot be switched back on.' }),
      });
    }
    return findings;
  },
};
