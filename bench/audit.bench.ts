/**
 * Tenant audit benchmark: `npm run bench:audit -- [--users 2000,50000] [--json]`.
 *
 * Runs the whole audit against the demo tenant (msw, in-process) enforcing Microsoft's published
 * limits (src/graph/published-limits.ts: SharePoint resource units per app per tenant by licences,
 * Outlook per mailbox, identity by tenant size, the global limit). Waits those limits impose are
 * skipped by a simulated clock and still counted, so a 20-minute run takes its compute time here.
 * For each size it prints:
 *   calls (batch members one by one) against an independent lower bound: the pages of each
 *     collection that must be read at all, one call per mailbox for rules, per drive for its
 *     delta, per shared item for its permissions (not derived from the audit's own design)
 *   SharePoint resource units against the same lower bound priced at the cheapest documented call
 *                                                                 target <= 1.1
 *   wall time against the floor the published limits impose on the work done, per service, and
 *     which service binds                                         target <= 1.25
 *   an incremental re-audit (--since-last) after a 1% change of the school (sharing, forwarding
 *     rules, membership, meetings with outsiders): its calls and units as a fraction of a full run's (target <= 0.05), and
 *     findings it missed that a full run reports (target 0)
 * With --json, one JSON object per size on its own line; --full-only skips the incremental part. Every number is measured in this run.
 * Default size 2,000 (about a minute here); 50,000 takes several minutes on 2 cores.
 */
import { resolve } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import pino from 'pino';
import { AuditService } from '../src/audit/audit-service';
import { AuditStore } from '../src/audit/audit-store';
import { AuditWatermarks } from '../src/audit/audit-watermark';
import { findingKey, type Finding } from '../src/audit/findings';
import { loadSchoolConfig } from '../src/config/load-school-config';
import { ExchangeAdmin } from '../src/exchange/exchange-admin';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { generateSchool, sizeForUsers } from '../src/demo-tenant/school-generator';
import type { DemoSchool } from '../src/demo-tenant/school-model';
import { SimulatedClock } from '../src/demo-tenant/simulated-clock';
import { GraphAccess } from '../src/graph/graph-access';
import { tokenSourceFor } from '../src/graph/graph-auth';
import { openStorage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';
import { MeetingWatch } from '../src/lessons/meeting-watch';
import { RecordingNotifier } from '../src/notify/notifier';
import { SchoolDirectory } from '../src/school/school-directory';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const sizes = arg('users', '2000').split(',').map(Number);
const asJson = process.argv.includes('--json');
/** Skip the incremental run and the full run it is checked against (their fields are null). */
const fullOnly = process.argv.includes('--full-only');
const config = loadSchoolConfig(resolve(__dirname, '..', '..', 'config', 'demo-school.yaml'));
const BASE = 'https://graph.microsoft.com/v1.0';
/** Largest page Graph serves for users and groups ($top up to 999, user-list.md, group-list.md). */
const pages = (n: number, per = 999) => Math.max(1, Math.ceil(n / per));

/**
 * What any audit of this school must read, whatever its design: every page of users and groups,
 * each group's members and owners, each mailbox's rules, the three tenant settings, the site list,
 * each site's drives, one delta per existing drive (a page per 999 items), the permissions of each
 * item shared in its own right, each staff calendar and each staff-organised online meeting.
 * SharePoint units price each at the cheapest documented call ([SPO] cost table: a listing or a
 * delta without a token 2, permissions 5).
 */
function lowerBound(school: DemoSchool): { calls: number; resourceUnits: number } {
  const members = school.users.filter((u) => u.userType === 'Member');
  const staffGroup = school.groups.find((g) => g.kind === 'staff')!;
  const staffIds = new Set(staffGroup.memberIds);
  const byId = new Map(members.map((u) => [u.id, u]));
  const drives = school.drives.filter((d) => !d.ownerUserId || byId.get(d.ownerUserId)?.driveProvisioned);
  const drivePages = drives.reduce((n, d) => n + pages(d.items.length), 0);
  const shared = drives.reduce((n, d) => n + d.items.filter((i) => i.permissions.some((p) => !p.inheritedFrom)).length, 0);
  const staffMeetings = school.events.filter((e) => e.isOrganizer && e.isOnlineMeeting && staffIds.has(e.calendarOwnerId)).length;
  const sitePages = pages(school.sites.length);
  const sharePointUnits = 2 * sitePages + 2 * school.sites.length + 2 * drivePages + 5 * shared;
  const calls =
    pages(school.users.length) +
    pages(school.groups.length) +
    school.groups.reduce((n, g) => n + pages(g.memberIds.length) + pages(g.ownerIds.length), 0) +
    members.filter((u) => u.mail).length +
    3 +
    sitePages +
    school.sites.length +
    drivePages +
    shared +
    members.filter((u) => staffIds.has(u.id)).length +
    staffMeetings;
  return { calls, resourceUnits: sharePointUnits };
}

/** Where the app's staff-calendar subscriptions send their change notifications (the bench's own webhook). */
const WEBHOOK = 'https://esafety.bench.test/api/graph/notifications';

/**
 * 1% of the school changes, as people make changes (so the unified audit log and the calendar
 * subscriptions hear of them): sharing on 1% of drives, a forwarding rule in 1% of mailboxes (saved
 * in Outlook), 1% of groups gain a member, 1% of staff organise a Teams meeting with an outsider.
 */
async function changeOnePercent(school: DemoSchool, tenant: ReturnType<typeof createDemoTenant>): Promise<void> {
  school.drives
    .filter((_, i) => i % 100 === 0)
    .forEach((d) => {
      const file = d.items.find((i) => !i.isFolder);
      if (file)
        tenant.changeSharing(d.id, file.id, (i) =>
          i.permissions.push({ id: `bench-${i.id}`, roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://x' } }),
        );
    });
  const members = school.users.filter((u) => u.userType === 'Member' && u.mail);
  members
    .filter((_, i) => i % 100 === 0)
    .forEach((u) =>
      tenant.changeInboxRules(u.id, (list) =>
        list.push({
          id: `bench-rule-${u.id}`,
          displayName: 'bench forward',
          sequence: list.length + 1,
          isEnabled: true,
          hasError: false,
          isReadOnly: false,
          conditions: {},
          actions: { forwardTo: [{ emailAddress: { address: 'someone@example.net' } }] },
        }),
      ),
    );
  const guest = school.users.find((u) => u.userType === 'Guest');
  if (guest) school.groups.filter((_, i) => i % 100 === 0).forEach((g) => g.memberIds.includes(guest.id) || g.memberIds.push(guest.id));
  const staff = school.groups.find((g) => g.kind === 'staff')!.memberIds;
  staff
    .filter((_, i) => i % 100 === 0)
    .forEach((id) =>
      tenant.meetings.createEventAs(id, {
        subject: 'Bench: meeting with a visitor',
        isOnlineMeeting: true,
        attendees: [{ emailAddress: { address: 'visitor@example.net', name: 'Visitor' } }],
      }),
    );
  // Graph's notifications reach the app's webhook (bounded: a lost one shows as missed findings).
  for (let i = 0; i < 10_000 && tenant.meetings.deliveries.length < tenant.meetings.notificationsSent; i++) await new Promise((r) => setImmediate(r));
}

const keys = (findings: Finding[]) => new Set(findings.map(findingKey));

async function measure(users: number) {
  const t0 = performance.now();
  const school = generateSchool({ size: sizeForUsers(users) });
  const clock = new SimulatedClock();
  // The tenant's and the audit's wall clock: simulated time, so the hours between runs pass at once.
  const epoch = Date.parse('2026-11-02T08:00:00Z');
  const wall = () => new Date(epoch + clock.now());
  const tenant = createDemoTenant(school, { clock: wall });
  /** Where the webhook hands notifications (the watch is made once Graph access is). */
  const webhook: { watch?: MeetingWatch } = {};
  const server = setupServer(
    ...tenant.handlers,
    // The app's webhook: Graph's validation request gets its token back; notifications go to the watch.
    http.post(WEBHOOK, async ({ request }) => {
      const token = new URL(request.url).searchParams.get('validationToken');
      if (token !== null) return new HttpResponse(token, { status: 200, headers: { 'content-type': 'text/plain' } });
      await webhook.watch?.receive(await request.json());
      return new HttpResponse(null, { status: 202 });
    }),
  );
  server.listen({ onUnhandledRequest: 'error' });
  const storage = openStorage('sqlite::memory:');
  await migrateToLatest(storage);
  const graph = new GraphAccess({ baseUrl: BASE, tokens: tokenSourceFor({ mode: 'demo' }, BASE), now: clock.now, sleep: clock.sleep });
  const exchange = new ExchangeAdmin({ tenantId: school.tenantId, tokens: { getAccessToken: async () => 'demo' } });
  const service = new AuditService({ graph, config, store: new AuditStore(storage.db), exchange, clock: wall, watermarks: new AuditWatermarks(storage.db) });
  // The staff-calendar subscriptions the running app keeps (lessons), made before anything is counted.
  const watch = new MeetingWatch({
    db: storage.db,
    config,
    graph,
    directory: new SchoolDirectory(graph, config),
    notifier: new RecordingNotifier(),
    logger: pino({ level: 'silent' }),
    notificationUrl: () => WEBHOOK,
    clock: wall,
  });
  webhook.watch = watch;
  if (!fullOnly) {
    await watch.ensureSubscriptions();
    // The app has been running: its subscriptions have watched for a day before this audit.
    clock.advance(25 * 3_600_000);
  }
  const licences = school.users.filter((u) => u.userType === 'Member').length;
  process.stderr.write(`${users} users (${licences} licences): school generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  const limits = tenant.throttle.publishedLimits({ licences, users: school.users.length }, clock.now)!;
  const start = clock.now();
  const realStart = performance.now();
  const full = await service.run({ trigger: 'bench' });
  const wallMs = clock.now() - start;
  const realMs = performance.now() - realStart;
  const { perService, binding } = limits.floors();
  const fullCalls = tenant.throttle.admitted;
  const fullUnits = limits.resourceUnits;
  const bound = lowerBound(school);
  process.stderr.write(`  full run: ${(realMs / 1000).toFixed(1)} s on this machine, ${(wallMs / 1000).toFixed(1)} s simulated\n`);

  let incrementalCalls: number | null = null;
  let incrementalUnits: number | null = null;
  let incrementalMissed: number | null = null;
  if (!fullOnly) {
    await changeOnePercent(school, tenant);
    // The next run, two hours on: the audit log has the changes by then (60 to 90 minutes).
    clock.advance(2 * 3_600_000);
    const incremental = await service.run({ trigger: 'bench', sinceLast: true });
    incrementalCalls = tenant.throttle.admitted - fullCalls;
    incrementalUnits = limits.resourceUnits - fullUnits;
    // What a full run reports after the same change: the incremental run must match it.
    const truth = await service.run({ trigger: 'bench' });
    const a = keys(incremental.report.findings);
    const b = keys(truth.report.findings);
    incrementalMissed = [...b].filter((k) => !a.has(k)).length + [...a].filter((k) => !b.has(k)).length;
  }

  server.close();
  await storage.close();
  return {
    users: school.users.length,
    requests: fullCalls,
    lowerBound: bound.calls,
    wallMs: Math.round(wallMs),
    floorMs: Math.round(binding.floorMs),
    bindingService: binding.service,
    resourceUnits: fullUnits,
    resourceUnitsLowerBound: bound.resourceUnits,
    floors: Object.fromEntries(perService.map((f) => [f.service, { spent: f.spent, floorMs: Math.round(f.floorMs) }])),
    throttled: full.report.stats.throttled,
    incrementalRequests: incrementalCalls,
    incrementalResourceUnits: incrementalUnits,
    incrementalMissed,
  };
}

async function main() {
  for (const users of sizes) {
    const r = await measure(users);
    if (asJson) {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      continue;
    }
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    process.stdout.write(
      [
        `users=${r.users}`,
        `calls=${r.requests} lowerBound=${r.lowerBound} ratio=${(r.requests / r.lowerBound).toFixed(3)}`,
        `resourceUnits=${r.resourceUnits} lowerBound=${r.resourceUnitsLowerBound} ratio=${(r.resourceUnits / r.resourceUnitsLowerBound).toFixed(3)} (target <= 1.1)`,
        `wall=${s(r.wallMs)} floor=${s(r.floorMs)} (${r.bindingService} binds) ratio=${r.floorMs > 0 ? (r.wallMs / r.floorMs).toFixed(2) : 'n/a'} (target <= 1.25) throttled=${r.throttled}`,
        `floors: ${Object.entries(r.floors)
          .map(([k, v]) => `${k} ${v.spent} spent, ${s(v.floorMs)}`)
          .join('; ')}`,
        r.incrementalRequests === null || r.incrementalResourceUnits === null
          ? 'incremental: not run (--full-only)'
          : `incremental after a 1% change: calls=${r.incrementalRequests} (${(r.incrementalRequests / r.requests).toFixed(3)} of full, target <= 0.05) resourceUnits=${r.incrementalResourceUnits} (${(r.incrementalResourceUnits / r.resourceUnits).toFixed(3)}) missed=${r.incrementalMissed} (target 0)`,
      ].join('\n  ') + '\n',
    );
  }
}

void main();
