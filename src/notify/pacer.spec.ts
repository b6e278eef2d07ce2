import { PER_CONVERSATION_WINDOWS, Pacer } from './pacer';

/** A clock that only moves when the pacer sleeps. */
function pacedClock() {
  let now = 0;
  const pacer = new Pacer({ now: () => now, sleep: async (ms) => void (now += ms) });
  return { pacer, now: () => now };
}

/** The most sends in any window of `periodMs` (windows start at a send). */
function busiest(times: number[], periodMs: number): number {
  let most = 0;
  for (let i = 0; i < times.length; i++) most = Math.max(most, times.filter((t) => t >= times[i]! && t < times[i]! + periodMs).length);
  return most;
}

describe("the pacer keeps to Teams' bot rate limits (msteams-docs bots/how-to/rate-limit.md)", () => {
  it('to one conversation: never more than 7 in 1 s, 8 in 2 s, 60 in 30 s', async () => {
    const { pacer, now } = pacedClock();
    const times: number[] = [];
    for (let i = 0; i < 130; i++) {
      await pacer.take('amy');
      times.push(now());
    }
    expect(busiest(times, 1_000)).toBeLessThanOrEqual(7);
    expect(busiest(times, 2_000)).toBeLessThanOrEqual(8);
    expect(busiest(times, 30_000)).toBeLessThanOrEqual(60);
    // 7 at once, the 8th a second later, the 9th only when the first is 2 s old.
    expect(times.slice(0, 9)).toEqual([0, 0, 0, 0, 0, 0, 0, 1000, 2000]);
    // The 61st waits for the first of the 30-second window.
    expect(times[60]).toBeGreaterThanOrEqual(30_000);
  });

  it('to one conversation: never more than 1800 in an hour', async () => {
    const { pacer, now } = pacedClock();
    const times: number[] = [];
    for (let i = 0; i < 1801; i++) {
      await pacer.take('dsl');
      times.push(now());
    }
    expect(times[1800]! - times[0]!).toBeGreaterThanOrEqual(3_600_000);
    expect(PER_CONVERSATION_WINDOWS.map((w) => [w.limit, w.periodMs / 1000])).toEqual([
      [7, 1],
      [8, 2],
      [60, 30],
      [1800, 3600],
    ]);
  });

  it('across conversations: at most 30 a second for the app in the tenant', async () => {
    const { pacer, now } = pacedClock();
    const times: number[] = [];
    for (let i = 0; i < 95; i++) {
      await pacer.take(`person-${i}`);
      times.push(now());
    }
    expect(busiest(times, 1_000)).toBeLessThanOrEqual(30);
    expect(times[94]).toBeLessThan(4_000);
  });

  it('a conversation held back does not hold back everyone else', async () => {
    const now = 0;
    let sleptFor = 0;
    const pacer = new Pacer({ now: () => now, sleep: async (ms) => void (sleptFor = ms) });
    // The admin gets 61 overdue cards at once: the 61st waits for the 30-second window.
    for (let i = 0; i < 61; i++) await pacer.take('admin');
    expect(sleptFor).toBeGreaterThanOrEqual(30_000);
    // A student's card still goes at once.
    sleptFor = 0;
    await pacer.take('student');
    expect(sleptFor).toBe(0);
  });

  it('a 429 pauses every conversation for its Retry-After', async () => {
    const { pacer, now } = pacedClock();
    await pacer.take('a');
    pacer.pauseFor(5_000);
    await pacer.take('b');
    expect(now()).toBe(5_000);
  });
});
