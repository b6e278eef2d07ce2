/** School hours: Monday to Friday, 08:00 to 17:00 in the school's time zone. */
export interface SchoolDay {
  timeZone: string;
  startHour: number;
  endHour: number;
}

export const DEFAULT_SCHOOL_DAY: SchoolDay = { timeZone: 'Europe/London', startHour: 8, endHour: 17 };

function local(at: Date, timeZone: string): { weekday: number; hour: number; minute: number; date: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1;
  return { weekday, hour: Number(parts.hour), minute: Number(parts.minute), date: `${parts.year}-${parts.month}-${parts.day}` };
}

/** Minutes of school time between two moments (counted minute by minute in 15-minute steps). */
export function schoolMinutesBetween(from: Date, to: Date, day: SchoolDay = DEFAULT_SCHOOL_DAY): number {
  let minutes = 0;
  const step = 15 * 60_000;
  for (let t = from.getTime(); t < to.getTime(); t += step) {
    const l = local(new Date(t), day.timeZone);
    if (l.weekday <= 5 && l.hour >= day.startHour && l.hour < day.endHour) minutes += Math.min(15, (to.getTime() - t) / 60_000);
  }
  return Math.round(minutes);
}

/**
 * The school day a report belongs to: the day it was made if that was during a school day, else
 * the next school day (a concern sent at 21:00 on Friday is Monday's). A calendar date, YYYY-MM-DD.
 */
export function schoolDayOf(reportedAt: Date, day: SchoolDay = DEFAULT_SCHOOL_DAY): string {
  const r = local(reportedAt, day.timeZone);
  if (r.weekday <= 5 && r.hour < day.endHour) return r.date;
  // Calendar arithmetic on the local date alone: the weekday of a date is the same in every zone.
  const d = new Date(`${r.date}T12:00:00Z`);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  return d.toISOString().slice(0, 10);
}

/**
 * True once the school day the report belongs to has ended (policy 002: the DSL acts the same
 * day). A concern reported after school is flagged at the end of the next school day, not at once.
 */
export function schoolDayOver(reportedAt: Date, now: Date, day: SchoolDay = DEFAULT_SCHOOL_DAY): boolean {
  const due = schoolDayOf(reportedAt, day);
  const n = local(now, day.timeZone);
  return n.date > due || (n.date === due && n.hour >= day.endHour);
}
