import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import { generateSchool, keyPeople } from '../src/demo-tenant/school-generator';
import { openStorage } from '../src/storage/database';
import { ConversationReferences } from '../src/storage/conversation-references';
import { migrateToLatest } from '../src/storage/migrator';
import { eventually } from './support/eventually';
import { testPostgresUrl } from './support/test-postgres';

const CLI = resolve(__dirname, '../dist/bin/esafety.js');
const PG = testPostgresUrl();

/** A Bot Connector that takes each card, answers after a while, and counts what every chat got. */
function fakeConnector() {
  const received = new Map<string, number>();
  let total = 0;
  const server: Server = createServer((req, res) => {
    const m = /\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
    req.resume();
    req.on('end', () => {
      // Not chained: restify (loaded by other suites in this worker) patches writeHead to return nothing.
      if (req.method !== 'POST' || !m) {
        res.writeHead(404);
        res.end();
        return;
      }
      const conversation = decodeURIComponent(m[1]!);
      received.set(conversation, (received.get(conversation) ?? 0) + 1);
      total += 1;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `act-${total}` }));
      }, 300);
    });
  });
  return { server, received, total: () => total };
}

/** `esafety demo` on the shared PostgreSQL, in a process of its own; resolves with its URL. */
function startInstance(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'demo', '--no-playground', '--port', '0', '--tenant-port', '0', '--database-url', databaseUrl], {
    env: { ...process.env, CAMPAIGN_ROUND_SECONDS: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.resume();
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Tab \(pick a persona\):\s+(http:\/\/\S+?)\//.exec(out);
      if (m) ok({ child, url: m[1]! });
    });
    child.once('exit', (code) => fail(new Error(`instance exited (${code}): ${out.slice(-500)}`)));
  });
}

/**
 * Issue #7: two server processes against one PostgreSQL share the scheduled audit and a policy
 * campaign; the one sending the campaign is killed (SIGKILL) half-way; the other finishes it.
 */
describe('two server processes on one PostgreSQL', () => {
  const name = `esafety_two_${randomBytes(4).toString('hex')}`;
  const admin = new Pool({ connectionString: PG, max: 1 });
  const databaseUrl = PG.replace(/\/[^/]*$/, `/${name}`);
  const connector = fakeConnector();
  const instances: ChildProcess[] = [];
  const school = generateSchool();
  const staff = school.groups.find((g) => g.kind === 'staff')!.memberIds;

  beforeAll(async () => {
    await admin.query(`CREATE DATABASE ${name}`);
    await new Promise<void>((r) => connector.server.listen(0, '127.0.0.1', r));
    const serviceUrl = `http://127.0.0.1:${(connector.server.address() as AddressInfo).port}/`;
    // Every member of staff has a chat with the bot, through the fake connector.
    const storage = openStorage(databaseUrl);
    await migrateToLatest(storage);
    const refs = new ConversationReferences(storage.db);
    for (const id of staff) {
      const conversation = { id: `a:${id}`, conversationType: 'personal', tenantId: school.tenantId };
      await refs.save({
        key: id,
        kind: 'personal',
        conversationId: conversation.id,
        tenantId: school.tenantId,
        reference: { channelId: 'msteams', serviceUrl, conversation, user: { id: `29:${id}`, aadObjectId: id }, bot: { id: '28:esafety', name: 'E-Safety' } },
      });
    }
    await storage.close();
  }, 30_000);

  afterAll(async () => {
    // Wait for each child to be gone (not a fixed sleep) before dropping the database under it.
    await Promise.all(
      instances.map((c) =>
        c.exitCode !== null || c.signalCode !== null
          ? undefined
          : new Promise((r) => {
              c.once('exit', r);
              c.kill('SIGKILL');
            }),
      ),
    );
    connector.server.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  });

  it('runs the start-up audit once, and finishes a campaign whose sender was killed half-way: nobody missed', async () => {
    const [a, b] = await Promise.all([startInstance(databaseUrl), startInstance(databaseUrl)]);
    instances.push(a.child, b.child);
    const db = openStorage(databaseUrl);
    try {
      // Both instances tick the daily audit at start: the lease lets one run it. (The demo's seeded
      // half-term holds two earlier runs, trigger 'demo-seed'.)
      await eventually(
        async () => (await db.db.selectFrom('audit_run').selectAll().where('trigger', '!=', 'demo-seed').execute()).length === 1,
        'the audit',
        30_000,
      );

      const itAdmin = keyPeople(school).itAdmin.id;
      const signIn = await fetch(`${a.url}/api/demo/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: itAdmin }),
      });
      const { token } = (await signIn.json()) as { token: string };
      const published = await fetch(`${a.url}/api/policies/staff-aup/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(published.status).toBe(200);

      // Kill whichever process is sending, a quarter of the way through.
      await eventually(() => connector.total() >= staff.length / 4, 'the campaign to start', 30_000);
      const lease = await db.db.selectFrom('job_lease').selectAll().where('name', '=', 'aup.campaigns').executeTakeFirstOrThrow();
      const sender = [a, b].find((i) => lease.holder.includes(`-${i.child.pid}-`))!;
      sender.child.kill('SIGKILL');
      const sentAtKill = connector.total();
      expect(sentAtKill).toBeLessThan(staff.length);

      // The survivor takes the campaign over once the dead one's lease and claims lapse.
      await eventually(() => staff.every((id) => (connector.received.get(`a:${id}`) ?? 0) >= 1), 'everyone to have their card', 60_000);
      const duplicates = staff.reduce((n, id) => n + Math.max(0, (connector.received.get(`a:${id}`) ?? 0) - 1), 0);
      // At most the cards in flight when the sender died (the campaign's concurrency, 8) come twice.
      expect(duplicates).toBeLessThanOrEqual(8);
      // And the record says so: every card row ends sent (the last answers take a moment).
      await eventually(
        async () => (await db.db.selectFrom('campaign_delivery').select('status').where('kind', '=', 'card').execute()).every((r) => r.status === 'sent'),
        'every card row recorded as sent',
        10_000,
      );
      expect(await db.db.selectFrom('audit_run').selectAll().where('trigger', '!=', 'demo-seed').execute()).toHaveLength(1);
    } finally {
      await db.close();
    }
  }, 120_000);
});
