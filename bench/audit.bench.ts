/**
 * Tenant audit benchmark: `npm run bench:audit -- [--users 2000,50000] [--rate 2000]`.
 *
 * Runs the whole audit against the demo tenant (msw, in-process) with its throttling model on
 * (a token bucket: --rate requests a second, default 1000, burst the same), and prints, for each size:
 *   requests issued / the minimum the audit's design needs (per-user calls in batches of 20,
 *     every page of every collection, no retries)            target <= 1.1
 *   wall time / the floor the throttling model imposes         target <= 1.25
 *   SharePoint resource units spent
 *   an incremental re-audit (--since-last) after 1% of drives change, as a fraction of a full
 *     run's requests                                            target <= 0.05
 * Every number is measured in this run; nothing is compared with a stored figure.
 */
import { resolve } from 'node:path';
import { setupServer } from 'msw/node';
import { AuditService } from '../src/audit/audit-service';
import { AuditStore } from '../src/audit/audit-store';
import { loadSchoolConfig } from '../src/config/load-school-config';
import { ExchangeAdmin } from '../src/exchange/exchange-admin';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { generateSchool, sizeForUsers } from '../src/demo-tenant/school-generator';
import type { DemoSchool } from '../src/demo-tenant/school-model';
import { GraphAccess } from '../src/graph/graph-access';
import { tokenSourceFor } from '../src/graph/graph-auth';
import { openStorage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const sizes = arg('users', '2000,50000').split(',').map(Number);
const rate = Number(arg('rate', '1000'));
const config = loadSchoolConfig(resolve(__dirname, '..', '..', 'config', 'demo-school.yaml'));
const BASE = 'https://graph.microsoft.com/v1.0';
const pages = (n: number, per: number) => Math.max(1, Math.ceil(n / per));
const batches = (n: number) => Math.ceil(n / 20);

/** The audit's design floor: every collection page and every per-item call batched by 20, no retries. */
function minimumRequests(school: DemoSchool): number {
  const members = school.users.filter((u) => u.userType === 'Member');
  const staffGroup = school.groups.find((g) => g.kind === 'staff')!;
  const staffIds = new Set(staffGroup.memberIds);
  const staff = members.filter((u) => staffIds.has(u.id));
  const memberById = new Map(members.map((u) => [u.id, u]));
  const drives = school.drives.filter((d) => !d.ownerUserId || memberById.get(d.ownerUserId)?.driveProvisioned);
  const shared = drives.reduce((n, d) => n + d.items.filter((i) => i.permissions.length).length, 0);
  const staffMeetings = school.events.filter((e) => e.isOrganizer && staffIds.has(e.calendarOwnerId)).length;
  const extraMemberPages = school.groups.reduce((n, g) => n + pages(g.memberIds.length, 999) - 1 + pages(g.ownerIds.length, 999) - 1, 0);
  return (
    pages(school.users.length, 999) + // users
    pages(school.groups.length, 999) + // groups
    batches(2 * school.groups.length) + extraMemberPages + // members and owners
    batches(members.length) + // inbox rules
    3 + // SharePoint settings, authorization policy, cross-tenant default
    batches(members.length) + // OneDrive lookups
    pages(school.sites.length, 999) + batches(school.sites.length) + // sites and their drives
    batches(drives.length) + // drive delta, one page each
    batches(shared) + // permissions of shared items only
    batches(staff.length) + // staff calendars
    batches(staffMeetings) // online meeting settings
  );
}

async function main() {
  const rows: string[] = [];
  for (const users of sizes) {
    const t0 = performance.now();
    const school = generateSchool({ size: sizeForUsers(users) });
    const tenant = createDemoTenant(school);
    const server = setupServer(...tenant.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    const storage = openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    const graph = new GraphAccess({ baseUrl: BASE, tokens: tokenSourceFor({ mode: 'demo' }, BASE) });
    const exchange = new ExchangeAdmin({ tenantId: school.tenantId, tokens: { getAccessToken: async () => 'demo' } });
    const service = new AuditService({ graph, config, store: new AuditStore(storage.db), exchange });
    process.stderr.write(`${users} users: school generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    tenant.throttle.rateLimit({ perSecond: rate, burst: rate });
    const unitsBefore = tenant.throttle.admitted;
    const start = performance.now();
    const full = await service.run({ trigger: 'bench' });
    const wallMs = performance.now() - start;
    const admitted = tenant.throttle.admitted - unitsBefore;
    const floorMs = (Math.max(0, admitted - rate) / rate) * 1000;
    const minimum = minimumRequests(school);

    // 1% of drives change their sharing, then an incremental re-audit.
    const changed = school.drives.filter((_, i) => i % 100 === 0);
    for (const d of changed) {
      const file = d.items.find((i) => !i.isFolder);
      if (file) tenant.changeSharing(d.id, file.id, (i) => i.permissions.push({ id: `bench-${i.id}`, roles: ['read'], link: { scope: 'organization', type: 'view', webUrl: 'https://x' } }));
    }
    const incremental = await service.run({ trigger: 'bench', sinceLast: true });

    const r = full.report.stats;
    rows.push(
      [
        `users=${users}`,
        `requests=${r.requests} minimum=${minimum} ratio=${(r.requests / minimum).toFixed(3)} (target <= 1.1)`,
        `throttled=${r.throttled} resourceUnits=${r.resourceUnits}`,
        `wall=${(wallMs / 1000).toFixed(1)}s floor=${(floorMs / 1000).toFixed(1)}s ratio=${floorMs > 0 ? (wallMs / floorMs).toFixed(2) : 'n/a (no throttling at this size)'} (target <= 1.25)`,
        `incremental requests=${incremental.report.stats.requests} fraction=${(incremental.report.stats.requests / r.requests).toFixed(3)} (target <= 0.05) resourceUnits=${incremental.report.stats.resourceUnits}`,
      ].join('\n  '),
    );
    server.close();
    await storage.close();
  }
  process.stdout.write(`Tenant audit benchmark (throttling model: ${rate} requests/s, burst ${rate})\n${rows.join('\n')}\n`);
}

void main();
