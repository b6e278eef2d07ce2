import { BudgetPacer } from './budget-pacer';

describe('spending a published budget no faster than it refills', () => {
  const make = () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = new BudgetPacer(
      { quota: 2_500, windowMs: 60_000 },
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
      1,
    );
    return { pacer, waits, at: () => now };
  };

  it('spends the full budget at once, then waits for each unit to come back', async () => {
    const { pacer, waits, at } = make();
    await pacer.take(2_500);
    expect(waits).toEqual([]);
    await pacer.take(5);
    // 5 units at 2,500 a minute: 120 ms.
    expect(waits).toEqual([120]);
    expect(at()).toBe(120);
  });

  it('queues callers that reserve together, so they never overshoot the budget together', async () => {
    const waits: number[] = [];
    // Time stands still while the three reserve: each must wait behind the ones before it.
    const pacer = new BudgetPacer(
      { quota: 2_500, windowMs: 60_000 },
      () => 0,
      async (ms) => void waits.push(ms),
      1,
    );
    await pacer.take(2_500);
    await Promise.all([pacer.take(25), pacer.take(25), pacer.take(25)]);
    // Each reservation waits behind the one before it: 0.6 s, 1.2 s, 1.8 s from now.
    expect(waits).toEqual([600, 1_200, 1_800]);
  });

  it('says how long a number of units will take from now', async () => {
    const { pacer } = make();
    expect(pacer.timeFor(2_500)).toBe(0);
    expect(pacer.timeFor(5_000)).toBe(60_000);
  });
});
