import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { sql } from 'kysely';
import { APP_PERMISSIONS, AUDIT_ONLY_PERMISSIONS } from '../src/graph/permissions';
import { IncidentLog } from '../src/incidents/incident-log';
import { IncidentLogKeys } from '../src/incidents/incident-log-key';
import { incidentReportSchema } from '../src/incidents/incident-report';
import { openStorage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';

/** The built CLI (npm run build:server), run as an admin would run it. */
const CLI = resolve(__dirname, '../dist/bin/esafety.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });

describe('the esafety command', () => {
  it('lists the permissions to grant from the one permission table, for deployment scripts (decision 3)', () => {
    expect(run(['permissions']).stdout.trim().split('\n')).toEqual(APP_PERMISSIONS);
    expect(run(['permissions', '--audit-only']).stdout.trim().split('\n')).toEqual(AUDIT_ONLY_PERMISSIONS);
    const json = JSON.parse(run(['permissions', '--json']).stdout);
    expect(json.app).not.toContain('Mail.Send');
    expect(json.api.find((r: { path: string; method: string }) => r.method === 'POST' && r.path === '/users/{id}/sendMail').doc).toBe('user-sendmail.md');
  });

  it('checks a good configuration', () => {
    const r = run(['config', 'check', resolve(__dirname, '../config/demo-school.yaml')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/OK \(Demo Academy, 3 policies\)/);
  });

  it('stops on a bad configuration with one line naming the field, exit code 2, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esafety-cli-'));
    const bad = join(dir, 'school.yaml');
    writeFileSync(
      bad,
      readFileSync(resolve(__dirname, '../config/demo-school.yaml'), 'utf8').replace('mailDomains: [demo-academy.org.uk]', 'mailDomains: ["not a domain"]'),
    );
    const db = join(dir, 'data', 'esafety.db');
    const r = run(['serve', '--config', bad, '--port', '0'], { DATABASE_URL: `sqlite:${db}`, GRAPH_TOKEN: 'x' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/school\.mailDomains\.0: must be a mail domain/);
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(dir)).toEqual(['school.yaml']);
  });

  it('says what is missing when serve has no Graph credentials', () => {
    const r = run(['serve', '--config', resolve(__dirname, '../config/demo-school.yaml')], { GRAPH_TOKEN: '', GRAPH_CLIENT_ID: '', GRAPH_CLIENT_SECRET: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no Graph credentials/);
  });

  it('refuses to serve a bot that would accept activities without a Bot Framework token', () => {
    const r = run(['serve', '--config', resolve(__dirname, '../config/demo-school.yaml')], { GRAPH_TOKEN: 'x', BOT_ID: '', BOT_PASSWORD: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/BOT_ID and BOT_PASSWORD are required/);
  });

  it('migrates a database', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'esafety-cli-')), 'x.db');
    expect(run(['db', 'migrate', '--database-url', `sqlite:${db}`]).stdout).toMatch(/applied: 0001-initial/);
    expect(run(['db', 'migrate', '--database-url', `sqlite:${db}`]).stdout).toMatch(/up to date/);
  });
});

describe('a mistake on the command line', () => {
  /** The one line on stderr; anything more (a help page, a stack trace) fails. */
  const oneLine = (r: ReturnType<typeof run>): string => {
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  it('a mistyped command: exit 2, the command it was probably meant to be, and where help is', () => {
    const r = run(['auidt']);
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe("esafety: unknown command 'auidt'. Did you mean 'audit'? See 'esafety --help'.");
  });

  it("a mistyped subcommand points at that command's help", () => {
    const r = run(['incidents', 'verfy']);
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe("esafety: unknown command 'verfy'. Did you mean 'verify'? See 'esafety incidents --help'.");
  });

  it('a demo persona that does not exist, naming the ones that do', () => {
    const r = run(['demo', '--as', 'nobody']);
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe(
      "esafety: option '--as <persona>' argument 'nobody' is invalid. Allowed choices are teacher, dsl, deputy, head, admin, student, chair. See 'esafety demo --help'.",
    );
  });

  it('a number that is not one, before anything starts', () => {
    const r = run(['serve', '--config', resolve(__dirname, '../config/demo-school.yaml'), '--port', '39x8'], { GRAPH_TOKEN: 'x' });
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe("esafety: option '--port <n>' argument '39x8' is invalid. It must be a port number from 0 to 65535. See 'esafety serve --help'.");
    const users = run(['audit', '--demo', '--users', 'many']);
    expect(users.status).toBe(2);
    expect(oneLine(users)).toMatch(/^esafety: option '--users <n>' argument 'many' is invalid\. It must be a whole number\. See 'esafety audit --help'\.$/);
  });

  it('a port from the environment is checked like one typed', () => {
    const r = run(['serve', '--config', resolve(__dirname, '../config/demo-school.yaml')], { PORT: 'eighty', GRAPH_TOKEN: 'x' });
    expect(r.status).toBe(2);
    expect(oneLine(r)).toMatch(/^esafety: option '--port <n>' value 'eighty' from env 'PORT' is invalid\./);
  });

  it('an audit interval that is not a number of hours, which would otherwise audit every millisecond', () => {
    const r = run(['serve', '--config', resolve(__dirname, '../config/demo-school.yaml')], { AUDIT_INTERVAL_HOURS: 'daily', GRAPH_TOKEN: 'x' });
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe("esafety: AUDIT_INTERVAL_HOURS: 'daily' is not a number of hours (such as 24)");
  });

  it('a missing argument', () => {
    const r = run(['config', 'check']);
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe("esafety: missing required argument 'file'. See 'esafety config check --help'.");
  });

  it('a mistyped option, with the one it was probably meant to be', () => {
    const r = run(['audit', '--demo', '--sinse-last']);
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe("esafety: unknown option '--sinse-last'. Did you mean '--since-last'? See 'esafety audit --help'.");
  });

  it('--version prints the version in package.json', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8')) as { version: string }).version);
  });
});

describe('esafety config check on a configuration a school got slightly wrong', () => {
  const demo = resolve(__dirname, '../config/demo-school.yaml');
  /** The demo config, elsewhere, still pointing at the demo's policy texts. */
  const variant = (edit: (yaml: string) => string, policiesBeside = false): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'esafety-cli-')), 'school.yaml');
    const text = readFileSync(demo, 'utf8');
    writeFileSync(file, edit(policiesBeside ? text : text.replace(/file: policies\//g, `file: ${dirname(demo)}/policies/`)));
    return file;
  };

  it('names an unknown key and the one it was probably meant to be, exit 2', () => {
    const file = variant((y) => y.replace('  deputies: [', '  deputy: ['));
    const r = run(['config', 'check', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`esafety: ${file}: safeguarding.deputy: unknown key; did you mean deputies?\n`);
  });

  it('names a time zone that is not one', () => {
    const file = variant((y) => y.replace('timeZone: Europe/London', 'timeZone: GMT+1'));
    const r = run(['config', 'check', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^esafety: .*school\.yaml: school\.timeZone: "GMT\+1" is not an IANA time zone such as Europe\/London.*\n$/);
  });

  it('names a policy file that is not there, relative to the configuration', () => {
    const file = variant((y) => y, true);
    const r = run(['config', 'check', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^esafety: .*school\.yaml: policies\.0\.file: cannot read policies\/staff-aup\.md \(no such file, looked for .*\)\n$/);
  });

  it('and serve stops on it the same way before it opens a database', () => {
    const file = variant((y) => y.replace('  safeguardingTeam:', '  safeguardingteam:'));
    const db = join(dirname(file), 'esafety.db');
    const r = run(['serve', '--config', file, '--port', '0'], { DATABASE_URL: `sqlite:${db}`, GRAPH_TOKEN: 'x' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`esafety: ${file}: groups.safeguardingteam: unknown key; did you mean safeguardingTeam?\n`);
    expect(existsSync(db)).toBe(false);
  });
});

describe('esafety incidents verify', () => {
  const KEY = 'the school key vault secret, 32+ characters long';
  const withKey = { INCIDENT_LOG_KEY: KEY };

  it('says which database it read when the log there is empty, and how to verify the demo’s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esafety-cli-'));
    const empty = run(['incidents', 'verify', '--database-url', `sqlite:${join(dir, 'empty.db')}`], withKey);
    expect(empty.status).toBe(0);
    expect(empty.stdout.trim()).toBe(
      `The incident log in sqlite:${join(dir, 'empty.db')} is empty: nothing to verify. Choose the database with --database-url (or DATABASE_URL); the demo's log: esafety incidents verify --demo.`,
    );
  });

  it('says the log is intact (exit 0), then gives one line per problem, by kind, entry and incident (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esafety-cli-'));
    const url = `sqlite:${join(dir, 'incidents.db')}`;
    const storage = openStorage(url);
    const keys = new IncidentLogKeys(KEY);
    await migrateToLatest(storage, keys);
    const log = new IncidentLog(storage.db, storage.engine, undefined, keys);
    const report = incidentReportSchema.parse({
      submissionId: '8a6e0804-2bd0-4672-b79e-d97358b37e55',
      category: 'conduct',
      subCategory: 'cyberbullying',
      whatHappened: 'Name-calling in the Year 8 chat.',
      when: '2026-11-23T10:15:00Z',
      channel: 'tab',
    });
    const { incidentId } = await log.submit(report, 'teacher', { recipients: [], urgent: false, guidance: [], reason: 'test' });
    const note = await log.add(incidentId, 'note', 'dsl', { text: 'Spoke to both students.' });
    const last = await log.add(incidentId, 'note', 'dsl', { text: 'Parents called.' });
    const intact = run(['incidents', 'verify', '--database-url', url], withKey);
    expect(intact.status).toBe(0);
    expect(intact.stdout).toMatch(/intact: 3 entries verified, checkpointed to entry 3/);
    // It names the database it read, so a DSL who verified the wrong one can tell.
    expect(intact.stdout).toContain(`The incident log in sqlite:${join(dir, 'incidents.db')} is intact`);
    // Without the key there is nothing to verify against: said in one line, not "intact".
    const keyless = run(['incidents', 'verify', '--database-url', url], { INCIDENT_LOG_KEY: '' });
    expect(keyless.status).toBe(2);
    expect(keyless.stderr).toMatch(/INCIDENT_LOG_KEY is not set/);

    // A database administrator drops the protection, changes a note, deletes the last entry and
    // makes the incident urgent.
    await sql`DROP TRIGGER incident_entry_no_update`.execute(storage.db);
    await sql`DROP TRIGGER incident_entry_no_delete`.execute(storage.db);
    await sql`DROP TRIGGER incident_no_update`.execute(storage.db);
    await storage.db.updateTable('incident_entry').set({ body: '{"text":"Nothing to see."}' }).where('seq', '=', note).execute();
    await storage.db.deleteFrom('incident_entry').where('seq', '=', last).execute();
    await storage.db.updateTable('incident').set({ urgent: 1 }).execute();
    await storage.close();
    const broken = run(['incidents', 'verify', '--database-url', url], withKey);
    expect(broken.status).toBe(1);
    expect(broken.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^incident-row-edited  entry 1  incident ${incidentId}  `)),
      expect.stringMatching(new RegExp(`^entry-edited  entry ${note}  incident ${incidentId}  its contents were changed`)),
      expect.stringMatching(new RegExp(`^missing-tail  entry ${last}  -  the audit log recorded entry ${last}`)),
      `The incident log in ${url} is BROKEN: 3 problems in 2 entries.`,
    ]);
  });

  it('keeps an external copy of the checkpoints, and checks the log against it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esafety-cli-'));
    const url = `sqlite:${join(dir, 'incidents.db')}`;
    const copy = join(dir, 'checkpoints.jsonl');
    const storage = openStorage(url);
    const keys = new IncidentLogKeys(KEY);
    await migrateToLatest(storage, keys);
    const log = new IncidentLog(storage.db, storage.engine, undefined, keys);
    const report = incidentReportSchema.parse({
      submissionId: '0b8f7b6e-6a0a-4c55-9a1e-3f1d2a6b7c8d',
      category: 'conduct',
      subCategory: 'cyberbullying',
      whatHappened: 'Name-calling in the Year 8 chat.',
      when: '2026-11-23T10:15:00Z',
      channel: 'tab',
    });
    await log.submit(report, 'teacher', { recipients: [], urgent: false, guidance: [], reason: 'test' });
    expect(run(['incidents', 'checkpoint', '--database-url', url, '--append-to', copy], withKey).stdout).toMatch(/"seq":1/);
    expect(readFileSync(copy, 'utf8').trim().split('\n')).toHaveLength(1);
    // The whole log and its audit-log checkpoints deleted: only the copy outside remembers.
    for (const t of ['incident_entry_no_delete', 'audit_log_no_delete']) await sql.raw(`DROP TRIGGER ${t}`).execute(storage.db);
    await storage.db.deleteFrom('incident_entry').execute();
    await storage.db.deleteFrom('audit_log').execute();
    await storage.close();
    expect(run(['incidents', 'verify', '--database-url', url], withKey).status).toBe(0);
    const broken = run(['incidents', 'verify', '--database-url', url, '--checkpoints', copy], withKey);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/^missing-tail {2}entry 1 {2}- {2}the external checkpoint copy recorded entry 1 .*but the log ends at entry 0/m);
  });
});

describe('esafety incidents retention', () => {
  it('says what the school keeps, and refuses to erase without saying who authorised it', () => {
    const url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'esafety-cli-')), 'incidents.db')}`;
    const list = run(['incidents', 'retention', '--demo', '--database-url', url]);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/Retention: keep every record\n0 incidents due for erasure/);
    const apply = run(['incidents', 'retention', '--demo', '--apply', '--database-url', url]);
    expect(apply.status).toBe(2);
    expect(apply.stderr).toMatch(/--apply needs --by/);
  });
});
