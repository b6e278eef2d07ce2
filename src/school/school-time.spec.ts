import { instantToSchoolTime, schoolTimeToInstant, showSchoolTime } from './school-time';

describe("school time: what a teacher types is the school's local time", () => {
  it('09:00 in London in summer is 08:00 UTC, in winter 09:00 UTC', () => {
    expect(schoolTimeToInstant('2026-06-15T09:00', 'Europe/London').toISOString()).toBe('2026-06-15T08:00:00.000Z');
    expect(schoolTimeToInstant('2026-11-24T09:00', 'Europe/London').toISOString()).toBe('2026-11-24T09:00:00.000Z');
  });

  it("round-trips across the clock change and shows the school's time without a zone label", () => {
    const at = schoolTimeToInstant('2026-03-29T10:30', 'Europe/London');
    expect(at.toISOString()).toBe('2026-03-29T09:30:00.000Z');
    expect(instantToSchoolTime(at, 'Europe/London')).toBe('2026-03-29T10:30:00');
    expect(showSchoolTime(at.toISOString(), 'Europe/London')).toBe('Sun, 29 Mar 2026, 10:30');
    expect(showSchoolTime(at.toISOString(), 'Europe/London')).not.toMatch(/UTC/);
  });
});
