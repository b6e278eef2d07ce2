import { isInsideSchool } from '../../school/school-domains';
import type { Finding } from '../findings';
import type { AuditRule } from './rule';

/** Mailbox-level forwarding (set by an admin or in OWA): every message leaves the school. */
export const mailMailboxExternalForward: AuditRule = {
  rule: 'mail.mailbox.external-forward',
  evaluate(snapshot, ctx) {
    return (snapshot.mailboxForwarding ?? [])
      .filter((m) => !isInsideSchool(m.forwardingSmtpAddress, ctx.schoolDomains))
      .map<Finding>((m) => ({
        rule: this.rule,
        subject: { type: 'mailbox', id: m.userId, name: m.userPrincipalName },
        detail: `Every message to ${m.userPrincipalName} is forwarded to ${m.forwardingSmtpAddress}${m.forwardingRecipient ? ` (through the recipient "${m.forwardingRecipient}")` : ''}${m.keepsCopy ? ' (a copy stays in the mailbox)' : ' and not kept'}.`,
        action: `Set-Mailbox -Identity ${m.userPrincipalName} ${m.forwardingRecipient ? '-ForwardingAddress' : '-ForwardingSmtpAddress'} $null`,
      }));
  },
};

/** The outbound spam policy lets any mailbox forward automatically to outside addresses. */
export const mailTenantAutoForwardAllowed: AuditRule = {
  rule: 'mail.tenant.auto-forward-allowed',
  evaluate(snapshot) {
    return (snapshot.autoForward?.outboundPolicies ?? [])
      .filter((p) => p.AutoForwardingMode === 'On')
      .map<Finding>((p) => ({
        rule: this.rule,
        subject: {
          type: 'tenant-setting',
          id: p.Identity === 'Default' ? 'outbound-spam-policy' : `outbound-spam-policy/${p.Identity}`,
          name: `Outbound spam policy ${p.Identity}`,
        },
        detail: `The outbound spam policy "${p.Identity}" allows automatic forwarding to any external address, so inbox rules and mailbox forwarding can send pupils' data out.`,
        action: `Set-HostedOutboundSpamFilterPolicy -Identity "${p.Identity}" -AutoForwardingMode Off`,
      }));
  },
};
