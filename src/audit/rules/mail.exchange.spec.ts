import { resolve } from 'node:path';
import { tinySchool, DOMAIN, findingsOf } from '../../../test/support/snapshot-builder';
import { useDemoGraph } from '../../../test/support/demo-graph';
import { loadSchoolConfig } from '../../config/load-school-config';
import { keyPeople } from '../../demo-tenant/school-generator';
import { runAudit } from '../run-audit';
import { mailMailboxExternalForward, mailTenantAutoForwardAllowed } from './mail.exchange';

const withForwarding = (forwardingSmtpAddress: string, forwardingRecipient?: string) =>
  tinySchool((s) => {
    s.coverage.push({ check: 'mail.mailbox-forwarding', status: 'checked' });
    s.mailboxForwarding = [
      {
        userId: 'teacher',
        userPrincipalName: `teacher@${DOMAIN}`,
        forwardingSmtpAddress,
        ...(forwardingRecipient ? { forwardingRecipient } : {}),
        keepsCopy: false,
      },
    ];
  });

describe('002 "E-mail": never use email to transfer personal data, so no mailbox forwards outside (Set-Mailbox)', () => {
  it('flags forwarding to a recipient (ForwardingAddress) whose address is outside, and says how to remove that one', () => {
    const x = withForwarding('j.home@gmail.com', 'Home address (J)');
    const [f] = findingsOf(mailMailboxExternalForward, x);
    expect(f!.detail).toContain('j.home@gmail.com (through the recipient "Home address (J)")');
    expect(f!.fix).toContain('-ForwardingAddress $null');
    const inside = withForwarding(`head@${DOMAIN}`, 'Head Teacher');
    expect(findingsOf(mailMailboxExternalForward, inside)).toEqual([]);
  });
});

describe('002 "E-mail": automatic forwarding outside the school is blocked (outbound spam policy)', () => {
  const withPolicies = (...modes: Array<[string, string]>) =>
    tinySchool((s) => {
      s.coverage.push({ check: 'mail.tenant-auto-forward', status: 'checked' });
      s.autoForward = { outboundPolicies: modes.map(([Identity, AutoForwardingMode]) => ({ Identity, AutoForwardingMode })), remoteDomains: [] };
    });

  it('flags a policy with AutoForwardingMode On, and names it in the line that turns it off', () => {
    const [f, ...rest] = findingsOf(mailTenantAutoForwardAllowed, withPolicies(['Default', 'On'], ['Staff', 'Off']));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'high', subject: { id: 'outbound-spam-policy' } });
    expect(f!.fix).toContain('Set-HostedOutboundSpamFilterPolicy -Identity "Default" -AutoForwardingMode Off');
  });

  it('does not flag Off, or Automatic (system-controlled, which blocks external forwarding: outbound-spam-policies-external-email-forwarding.md)', () => {
    expect(findingsOf(mailTenantAutoForwardAllowed, withPolicies(['Default', 'Off'], ['Custom', 'Automatic']))).toEqual([]);
  });
});

describe('collecting mailbox forwarding from Exchange', () => {
  const ctx = useDemoGraph();
  const config = loadSchoolConfig(resolve(__dirname, '../../../config/demo-school.yaml'));

  it('reads ForwardingAddress as well as ForwardingSmtpAddress, resolving the recipient (a mail contact) to its outside address', async () => {
    const { snapshot } = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
    const byRecipient = snapshot.mailboxForwarding!.filter((m) => m.forwardingRecipient);
    expect(byRecipient).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ forwardingSmtpAddress: 'j.wright.home@gmail.com', forwardingRecipient: 'Home address (J Wright)' }),
        expect.objectContaining({ userId: keyPeople(ctx.school).deputyDsl.id, forwardingSmtpAddress: keyPeople(ctx.school).dsl.mail }),
      ]),
    );
  });
});
