/**
 * Acceptable use benchmark: `npm run bench:aup -- [--users 2000,50000] [--accept 1000]`.
 *
 * 1. Fan-out. A campaign to every person of a demo school of N users, sent to a simulated Bot
 *    Connector that enforces Teams' limits (30 messages a second per app per tenant, 7 a second per
 *    conversation; over that it answers 429 with Retry-After). Time is simulated: the connector, the
 *    pacer and the campaign share one clock, so 50,000 messages do not take 17 real minutes. The
 *    process is killed at 50% (the connector has taken the in-flight messages, their senders never
 *    hear back), and a fresh process finishes the campaign. Prints:
 *      messages per second achieved / the limit                 target >= 0.9
 *      the real processing capacity (messages per wall second with the pacer off) / the limit:
 *        above 1 means the app keeps up with Teams in real time
 *      duplicates and missed after the kill                     target 0 and 0
 * 2. Start of term. `--accept` people press "I accept" within one second (plus 10% double clicks),
 *    through the real bot endpoint, on SQLite and on PostgreSQL. Prints p50 and p99 of the invoke,
 *    each as a ratio to the median of a quiet sequential baseline measured first in the same run,
 *    and lost and duplicated acceptances (target 0 and 0).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setupServer } from 'msw/node';
import { Pool } from 'pg';
import pino from 'pino';
import { demoPersonas } from '../bin/start-demo';
import { startApp } from '../bin/start-app';
import { AcceptanceRegister } from '../src/aup/acceptance-register';
import { AupCampaigns, DEFAULT_CAMPAIGN_SETTINGS } from '../src/aup/aup-campaigns';
import { PolicyLibrary } from '../src/aup/policy-library';
import { loadSchoolConfig } from '../src/config/load-school-config';
import type { SchoolConfig } from '../src/config/school-config';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { generateSchool, keyPeople, sizeForUsers } from '../src/demo-tenant/school-generator';
import { GraphAccess } from '../src/graph/graph-access';
import { tokenSourceFor } from '../src/graph/graph-auth';
import type { AdaptiveCardJson } from '../src/cards/render-card';
import { Throttled, type Delivery, type Notifier } from '../src/notify/notifier';
import { Pacer } from '../src/notify/pacer';
import { SchoolDirectory } from '../src/school/school-directory';
import { openStorage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const CONFIG_FILE = resolve(__dirname, '..', '..', 'config', 'demo-school.yaml');
const LIMIT = 30; // per app per tenant, msteams-docs bots/how-to/rate-limit.md
const silent = pino({ level: 'silent' });
const fmt = (x: number, d = 3) => x.toFixed(d);

/** One clock for the connector, the pacer and the campaign; a sleep moves it, never backwards. */
class SimulatedClock {
  ms = Date.parse('2026-11-23T09:00:00Z');
  now = () => this.ms;
  date = () => new Date(this.ms);
  sleep = async (ms: number) => {
    const wake = this.ms + ms;
    await new Promise((r) => setImmediate(r));
    this.ms = Math.max(this.ms, wake);
  };
}

/**
 * Teams' Bot Connector as far as limits go: a token bucket of LIMIT a second (burst LIMIT) per app, and 7
 * a second per conversation. It counts what each person received. Once `dieAfter` messages have
 * arrived it keeps taking messages but never answers: the sending process has been killed.
 */
class SimulatedConnector implements Notifier {
  readonly received = new Map<string, number>();
  total = 0;
  throttled = 0;
  inFlightAtKill = 0;
  dieAfter = Infinity;
  private tokens = LIMIT;
  private last: number;
  private readonly perConversation = new Map<string, number[]>();
  constructor(
    private readonly clock: SimulatedClock,
    /** False for the capacity run: no limits at all. */
    private readonly limited = true,
  ) {
    this.last = clock.now();
  }
  async sendToPerson(to: string, _card: AdaptiveCardJson): Promise<Delivery> {
    const now = this.clock.now();
    this.tokens = Math.min(LIMIT, this.tokens + ((now - this.last) / 1000) * LIMIT);
    this.last = now;
    const recent = this.limited ? (this.perConversation.get(to) ?? []).filter((t) => t > now - 1000) : [];
    if (this.limited && (this.tokens < 1 || recent.length >= 7)) {
      this.throttled += 1;
      throw new Throttled(1000);
    }
    this.tokens -= 1;
    if (this.limited) this.perConversation.set(to, [...recent, now]);
    this.received.set(to, (this.received.get(to) ?? 0) + 1);
    this.total += 1;
    if (this.total > this.dieAfter) {
      this.inFlightAtKill += 1;
      return new Promise(() => undefined);
    }
    return 'sent';
  }
}

async function fanOut(users: number, pace: boolean): Promise<void> {
  const school = generateSchool({ size: sizeForUsers(users) });
  const server = setupServer(...createDemoTenant(school).handlers);
  server.listen({ onUnhandledRequest: 'error' });
  const base = loadSchoolConfig(CONFIG_FILE);
  const config: SchoolConfig = {
    ...base,
    policies: [
      {
        id: 'everyone-aup',
        title: 'Acceptable Use Agreement',
        kind: 'aup',
        audience: ['staff', 'students', 'governors'],
        file: 'x.md',
        reacceptance: { onNewVersion: true, everyTerm: false, onJoining: true },
      },
    ],
  };
  const storage = openStorage(`sqlite:${join(mkdtempSync(join(tmpdir(), 'aup-bench-')), 'bench.db')}`);
  await migrateToLatest(storage);
  const clock = new SimulatedClock();
  const graph = new GraphAccess({ baseUrl: 'https://graph.microsoft.com/v1.0', tokens: tokenSourceFor({ mode: 'demo' }, 'https://graph.microsoft.com/v1.0') });
  const directory = new SchoolDirectory(graph, config, 3_600_000);
  const library = new PolicyLibrary(
    storage.db,
    config,
    () => '# Acceptable Use Agreement\n\n1. I will use school IT for school work.\n2. I will keep my password to myself.\n',
    clock.date,
  );
  const register = new AcceptanceRegister(storage.db, clock.date);
  const links = { policyText: () => 'https://esafety.test/', coverage: () => 'https://esafety.test/' };
  const connector = new SimulatedConnector(clock, pace);
  // Without pacing (capacity run) the pacer's limits are lifted and the connector's limit too.
  const pacer = () =>
    new Pacer(pace ? { now: clock.now, sleep: clock.sleep } : { perSecond: 1e9, conversationWindows: [], now: clock.now, sleep: clock.sleep });
  const campaignsIn = () =>
    new AupCampaigns({
      db: storage.db,
      library,
      register,
      directory,
      notifier: connector,
      pacer: pacer(),
      links,
      logger: silent,
      settings: DEFAULT_CAMPAIGN_SETTINGS,
      clock: clock.date,
    });

  const { version } = await library.publish('everyone-aup', library.draftText('everyone-aup'), 'bench');
  const first = campaignsIn();
  const { queued } = await first.start(version, 'bench');
  if (!pace) {
    // Capacity: how many cards a second this process can prepare and record, Teams aside.
    const started = performance.now();
    await first.pump();
    const wall = (performance.now() - started) / 1000;
    console.log(
      `  capacity, ${users} users: ${connector.total} cards in ${fmt(wall, 1)} s wall = ${fmt(connector.total / wall, 0)}/s; capacity / limit ${fmt(connector.total / wall / LIMIT, 2)}`,
    );
    server.close();
    await storage.close();
    return;
  }

  connector.dieAfter = Math.floor(queued / 2);
  const sendingStarted = clock.now();
  const wallStarted = performance.now();
  void first.pump();
  while (connector.total <= connector.dieAfter || connector.inFlightAtKill < 1) await new Promise((r) => setTimeout(r, 20));
  // Let the doomed process take whatever else it had in flight, then it is gone.
  await new Promise((r) => setTimeout(r, 200));
  const killedAt = clock.now();
  const sentBeforeKill = connector.dieAfter;

  // A fresh process, five minutes later: claims of the dead one have lapsed.
  connector.dieAfter = Infinity;
  clock.ms += 5 * 60_000;
  const resumedAt = clock.now();
  const second = campaignsIn();
  await second.pump();
  const sendingTime = (killedAt - sendingStarted + (clock.now() - resumedAt)) / 1000;
  const wall = (performance.now() - wallStarted) / 1000;

  const audience = await first.audienceOf(version);
  let duplicates = 0;
  let missed = 0;
  for (const id of audience) {
    const n = connector.received.get(id) ?? 0;
    if (n === 0) missed += 1;
    if (n > 1) duplicates += n - 1;
  }
  const rate = connector.total / sendingTime;
  console.log(
    `  fan-out, ${users} users (${audience.size} in the audience): ${connector.total} messages in ${fmt(sendingTime, 1)} s simulated (${fmt(wall, 1)} s wall); ` +
      `${fmt(rate, 1)}/s; rate / limit ${fmt(rate / LIMIT)} (target >= 0.9); 429s ${connector.throttled}; ` +
      `killed at ${sentBeforeKill} with ${connector.inFlightAtKill} in flight: duplicates ${duplicates}, missed ${missed} (target 0, 0)`,
  );
  server.close();
  await storage.close();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The demo tenant in a process of its own, as Graph would be: in-process it would compete with the
 * app for the one event loop and the benchmark would measure the simulation, not the app.
 */
async function demoTenantProcess(users: number): Promise<{ graphBaseUrl: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, [resolve(__dirname, '..', 'bin', 'esafety.js'), 'demo-tenant', '--users', String(users), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/at (http:\/\/\S+\/v1\.0)/);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`demo tenant exited (${code})`)));
  });
  return { graphBaseUrl: url, close: async () => void child.kill('SIGTERM') };
}

async function startOfTerm(engine: 'sqlite' | 'postgres', people: number): Promise<void> {
  // sizeForUsers gives one member of staff per eleven users: enough staff to click.
  const users = (people + 40) * 11;
  const school = generateSchool({ size: sizeForUsers(users) });
  const tenant = await demoTenantProcess(users);
  let databaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'aup-bench-')), 'accept.db')}`;
  let dropDatabase = async () => undefined;
  if (engine === 'postgres') {
    const name = `esafety_bench_${randomUUID().slice(0, 8)}`;
    const admin = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    databaseUrl = `postgres://postgres@127.0.0.1:5432/${name}`;
    dropDatabase = async () => {
      // Best effort: a database left behind by a failed run is harmless and named as a bench's.
      await admin.query(`DROP DATABASE ${name}`).catch((e: Error) => console.log(`  (could not drop ${name}: ${e.message})`));
      await admin.end();
    };
  }
  const app = await startApp({
    configFile: CONFIG_FILE,
    databaseUrl,
    port: 0,
    graph: { baseUrl: tenant.graphBaseUrl, auth: { mode: 'demo' } },
    logger: silent,
    demo: { personas: demoPersonas(school) },
    watchCalendars: false,
  });
  try {
    // The policy is published from a second connection, so no campaign competes with the clicks.
    const side = openStorage(databaseUrl);
    const config = loadSchoolConfig(CONFIG_FILE);
    const library = new PolicyLibrary(side.db, config, (f) => readFileSync(resolve(__dirname, '..', '..', 'config', f), 'utf8'));
    const { version } = await library.publish('staff-aup', library.draftText('staff-aup'), keyPeople(school).itAdmin.id);

    const staff = [...new Set(school.groups.find((g) => g.kind === 'staff')!.memberIds)].slice(0, people + 20);
    const invoke = async (personId: string): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${app.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'invoke',
          name: 'adaptiveCard/action',
          id: randomUUID(),
          channelId: 'msteams',
          serviceUrl: 'http://127.0.0.1:9/',
          from: { id: `29:${personId}`, aadObjectId: personId },
          recipient: { id: '28:bot' },
          conversation: { id: `a:${personId}`, conversationType: 'personal', tenantId: school.tenantId },
          value: { action: { type: 'Action.Execute', verb: 'aup.accept', data: { versionId: version.id } } },
        }),
      });
      const body = JSON.stringify(await res.json());
      if (res.status !== 200 || !body.includes('Accepted version')) throw new Error(`invoke failed: ${res.status} ${body.slice(0, 200)}`);
      return performance.now() - started;
    };

    // Baseline: 20 people, one after another, on a quiet server.
    const quiet: number[] = [];
    for (const id of staff.slice(0, 20)) quiet.push(await invoke(id));
    const baseline = quiet.sort((a, b) => a - b)[10]!;

    // Start of term: everyone else within one second, and one in ten clicks twice.
    const crowd = staff.slice(20, 20 + people);
    const clicks = [...crowd, ...crowd.filter((_, i) => i % 10 === 0)];
    const latencies = await Promise.all(
      clicks.map((id, i) => new Promise<number>((r, j) => setTimeout(() => invoke(id).then(r, j), (i * 1000) / clicks.length))),
    );
    latencies.sort((a, b) => a - b);
    const rows = await side.db.selectFrom('acceptance').select(['person_id']).where('policy_id', '=', 'staff-aup').execute();
    const persons = new Set(rows.map((r) => r.person_id));
    const lost = [...staff.slice(0, 20 + people)].filter((id) => !persons.has(id)).length;
    const duplicated = rows.length - persons.size;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `  start of term on ${engine}: ${clicks.length} clicks (${people} people) in 1 s: p50 ${fmt(p50, 0)} ms (${fmt(p50 / baseline, 2)} x quiet), ` +
        `p99 ${fmt(p99, 0)} ms (${fmt(p99 / baseline, 2)} x quiet; quiet median ${fmt(baseline, 1)} ms); lost ${lost}, duplicated ${duplicated} (target 0, 0)`,
    );
    await side.close();
  } finally {
    await app.close();
    await tenant.close();
    await dropDatabase();
  }
}

async function main(): Promise<void> {
  const sizes = arg('users', '2000,50000').split(',').map(Number);
  const acceptors = Number(arg('accept', '1000'));
  console.log(`AUP fan-out against a simulated Bot Connector (limit ${LIMIT}/s per app per tenant, 7/s per conversation)`);
  for (const users of arg('skip-fanout', '') ? [] : sizes) {
    await fanOut(users, false);
    await fanOut(users, true);
  }
  console.log(`Start of term: ${acceptors} acceptances in one second through the bot endpoint`);
  for (const engine of ['sqlite', 'postgres'] as const) await startOfTerm(engine, acceptors);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
