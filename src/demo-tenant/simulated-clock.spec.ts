import { SimulatedClock } from './simulated-clock';

describe('the benchmark’s simulated clock', () => {
  it('moves on by a wait at once, without sleeping it', async () => {
    const clock = new SimulatedClock();
    const real = performance.now();
    const before = clock.now();
    await clock.sleep(60_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(60_000);
    expect(performance.now() - real).toBeLessThan(1_000);
  });

  it('counts waits that overlap once, as concurrent sleepers would', async () => {
    const clock = new SimulatedClock();
    const before = clock.now();
    await Promise.all([clock.sleep(10_000), clock.sleep(10_000), clock.sleep(10_000)]);
    expect(clock.now() - before).toBeGreaterThanOrEqual(10_000);
    expect(clock.now() - before).toBeLessThan(20_000);
  });
});
