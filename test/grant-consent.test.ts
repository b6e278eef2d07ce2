import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AUDIT_ONLY_PERMISSIONS } from '../src/graph/permissions';

/** scripts/grant-consent.sh in dry-run mode (needs `npm run build:server`, as npm test does). */
const dryRun = (mode: string) =>
  execFileSync(resolve(__dirname, '../scripts/grant-consent.sh'), [mode, '--dry-run', '11111111-2222-4333-8444-555555555555'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .split('\n')
    .filter((l) => l.startsWith('az rest'))
    .map((l) => /id\\ of\\ ([\w.]+)\\>/.exec(l)![1]);

describe('the audit-only consent script', () => {
  it("grants exactly the app's audit-only permissions, one appRoleAssignment each, to the app registration", () => {
    expect(dryRun('--audit-only').sort()).toEqual([...AUDIT_ONLY_PERMISSIONS].sort());
  });

  it('grants more in full mode, and never Mail.Send (that is Exchange RBAC, decision 1)', () => {
    const full = dryRun('--full');
    expect(full.length).toBeGreaterThan(AUDIT_ONLY_PERMISSIONS.length);
    expect(full).not.toContain('Mail.Send');
  });
});

describe('docs/deploy.md', () => {
  it('runs the consent script only in ways the script accepts (each run here as a dry run)', () => {
    const doc = readFileSync(resolve(__dirname, '../docs/deploy.md'), 'utf8');
    const invocations = [...doc.matchAll(/scripts\/grant-consent\.sh ([^\n`#]+)/g)].map((m) => m[1]!.trim());
    expect(invocations.length).toBeGreaterThanOrEqual(3);
    for (const line of invocations) {
      const args = line.replace('<AAD_APP_CLIENT_ID>', '11111111-2222-4333-8444-555555555555').split(/\s+/);
      if (!args.includes('--dry-run')) args.unshift('--dry-run');
      expect(() => execFileSync(resolve(__dirname, '../scripts/grant-consent.sh'), args, { stdio: 'ignore' })).not.toThrow();
    }
  });
});
