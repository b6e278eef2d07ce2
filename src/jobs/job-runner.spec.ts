import { Writable } from 'node:stream';
import { eventually } from '../../test/support/eventually';
import { engines, type TestStorage } from '../../test/support/storages';
import { createLogger } from '../logging/logger';
import { JobLeases } from '../storage/job-lease';
import { JobRunner } from './job-runner';

const MINUTE = 60_000;

describe.each(engines)('the job runner on %s', (_name, open) => {
  let t: TestStorage;
  let clock: Date;
  let logged: Array<{ level: number; msg: string; job?: string }>;
  const later = (ms: number) => (clock = new Date(clock.getTime() + ms));
  const runner = (instance: string) =>
    new JobRunner({
      leases: new JobLeases(t.storage.db, instance, () => clock),
      logger: createLogger({ level: 'info', destination: new Writable({ write: (chunk, _enc, done) => (logged.push(JSON.parse(String(chunk))), done()) }) }),
      clock: () => clock,
    });

  beforeEach(async () => {
    t = await open();
    clock = new Date('2026-11-23T09:00:00Z');
    logged = [];
  });
  afterEach(() => t.dispose());

  it('runs a job when it is due, and not again until its interval has passed', async () => {
    const r = runner('a');
    const runs: string[] = [];
    r.every('reminders', MINUTE, async () => void runs.push(clock.toISOString()));
    r.every('checkpoint', 60 * MINUTE, async () => void runs.push('checkpoint'), { firstRun: 'after-interval' });
    expect(await r.runDue()).toEqual(['reminders']);
    later(30_000);
    expect(await r.runDue()).toEqual([]);
    later(30_000);
    expect(await r.runDue()).toEqual(['reminders']);
    later(59 * MINUTE);
    expect((await r.runDue()).sort()).toEqual(['checkpoint', 'reminders']);
    expect(runs).toEqual(['2026-11-23T09:00:00.000Z', '2026-11-23T09:01:00.000Z', '2026-11-23T10:00:00.000Z', 'checkpoint']);
  });

  it('runs a job on one instance only when two runners share a database', async () => {
    const a = runner('instance-a');
    const b = runner('instance-b');
    let runs = 0;
    a.every('campaigns', MINUTE, async () => void runs++);
    b.every('campaigns', MINUTE, async () => void runs++);
    const [onA, onB] = await Promise.all([a.runDue(), b.runDue()]);
    expect([...onA, ...onB]).toEqual(['campaigns']);
    // Each runner's next turn comes round; the one that ran keeps the job, the other does not run it again.
    later(MINUTE);
    await b.runDue();
    await a.runDue();
    expect(runs).toBe(2);
  });

  it('lets another instance take a job over once the instance holding it has died', async () => {
    const dying = runner('instance-a');
    const survivor = runner('instance-b');
    let survivorRuns = 0;
    dying.every('audit', MINUTE, () => new Promise(() => undefined), { leaseMs: 2 * 60 * MINUTE });
    survivor.every('audit', MINUTE, async () => void survivorRuns++, { leaseMs: 2 * 60 * MINUTE });
    void dying.runDue();
    await eventually(async () => (await leaseHolder('audit')) === 'instance-a', 'instance A to take the audit');
    // A's run is still under way (its long lease holds), so B does not start a second one.
    later(MINUTE);
    expect(await survivor.runDue()).toEqual([]);
    later(2 * 60 * MINUTE);
    expect(await survivor.runDue()).toEqual(['audit']);
    expect(survivorRuns).toBe(1);
  });

  it('logs a failing job and tries it again at the next interval', async () => {
    const r = runner('a');
    let attempts = 0;
    r.every('reviews', MINUTE, async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('Graph is down');
    });
    await r.runDue();
    expect(logged.filter((l) => l.level >= 50 && l.job === 'reviews').map((l) => l.msg)).toEqual(['scheduled job reviews failed; tried again next interval']);
    later(30_000);
    await r.runDue();
    expect(attempts).toBe(1);
    later(30_000);
    expect(await r.runDue()).toEqual(['reviews']);
    expect(attempts).toBe(2);
  });

  it('runs a job out of turn on demand, joining a run already under way', async () => {
    const r = runner('a');
    let release!: () => void;
    let runs = 0;
    r.every('campaigns', MINUTE, () => {
      runs += 1;
      return new Promise<number>((done) => (release = () => done(runs)));
    });
    const scheduled = r.runDue();
    const onDemand = r.runNow('campaigns');
    await eventually(() => release !== undefined, 'the scheduled run to start');
    release();
    expect(await scheduled).toEqual(['campaigns']);
    expect(await onDemand).toBe(1);
    expect(runs).toBe(1);
    // Another instance holds it now: asked out of turn, nothing runs there.
    const other = runner('b');
    other.every('campaigns', MINUTE, async () => 'ran');
    expect(await other.runNow('campaigns')).toBeUndefined();
  });

  it('runs nothing once stopped, and lets the job go to another instance', async () => {
    const a = runner('instance-a');
    const b = runner('instance-b');
    let runsOnA = 0;
    a.every('lessons', MINUTE, async () => void runsOnA++);
    b.every('lessons', MINUTE, async () => undefined);
    await a.runDue();
    await a.stop();
    later(MINUTE);
    expect(await a.runDue()).toEqual([]);
    expect(runsOnA).toBe(1);
    // Its lease was released on stop: B need not wait for it to lapse.
    expect(await b.runDue()).toEqual(['lessons']);
  });

  it('waits on stop for a run under way before letting its lease go', async () => {
    const a = runner('instance-a');
    let finish!: () => void;
    let finished = false;
    a.every('audit', MINUTE, () => new Promise<void>((done) => (finish = () => ((finished = true), done()))), { leaseMs: 2 * 60 * MINUTE });
    const run = a.runDue();
    await eventually(() => finish !== undefined, 'the run to start');
    const stopping = a.stop();
    expect(await leaseHolder('audit')).toBe('instance-a');
    finish();
    await stopping;
    await run;
    expect(finished).toBe(true);
    expect(await leaseHolder('audit')).toBeUndefined();
  });

  const leaseHolder = async (name: string) => (await t.storage.db.selectFrom('job_lease').selectAll().where('name', '=', name).executeTakeFirst())?.holder;
});
