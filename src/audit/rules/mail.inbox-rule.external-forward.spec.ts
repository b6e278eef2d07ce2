import { tinySchool, to, DOMAIN, findingsOf } from '../../../test/support/snapshot-builder';
import { mailInboxRuleExternalForward as rule } from './mail.inbox-rule.external-forward';

const forwarding = (address: string, isEnabled = true, kind: 'forwardTo' | 'redirectTo' | 'forwardAsAttachmentTo' = 'forwardTo') =>
  tinySchool((s) => (s.inboxRules = { teacher: [{ id: 'r1', displayName: 'Fwd', isEnabled, actions: { [kind]: [to(address)] } }] }));
const findings = (x: ReturnType<typeof tinySchool>) => findingsOf(rule, x);

describe('002 "E-mail": never use email to transfer staff or student personal data', () => {
  it('flags a rule forwarding school mail to a personal address', () => {
    expect(findings(forwarding('me@gmail.com'))).toMatchObject([{ severity: 'high', subject: { id: 'teacher' } }]);
  });

  it.each(['forwardTo', 'redirectTo', 'forwardAsAttachmentTo'] as const)('flags %s as well', (kind) => {
    expect(findings(forwarding('me@gmail.com', true, kind))).toHaveLength(1);
  });

  it('flags a look-alike domain that starts with the school domain', () => {
    expect(findings(forwarding(`x@${DOMAIN}.evil.com`))).toHaveLength(1);
  });

  it('flags a look-alike domain that ends with the school domain text', () => {
    expect(findings(forwarding(`x@evil${DOMAIN}`))).toHaveLength(1);
  });

  it('does not flag forwarding to a colleague, or to a student subdomain address, in any case', () => {
    expect(findings(forwarding(`head@${DOMAIN}`))).toEqual([]);
    expect(findings(forwarding(`Pupil@Students.${DOMAIN.toUpperCase()}`))).toEqual([]);
  });

  it('reports a disabled rule at low severity: one click switches it back on', () => {
    expect(findings(forwarding('me@gmail.com', false))).toMatchObject([{ severity: 'low' }]);
  });

  it('names the mailbox once, with all its offending rules', () => {
    const x = tinySchool(
      (s) =>
        (s.inboxRules = {
          teacher: [
            { id: 'r1', displayName: 'A', isEnabled: false, actions: { forwardTo: [to('a@gmail.com')] } },
            { id: 'r2', displayName: 'B', isEnabled: true, actions: { redirectTo: [to('b@gmail.com')] } },
          ],
        }),
    );
    const [f, ...rest] = findings(x);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'high', detail: expect.stringContaining('"B"') });
    expect(f!.detail).toContain('"A"');
  });
});
