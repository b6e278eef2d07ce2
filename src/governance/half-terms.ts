/**
 * Half-terms, for the head's half-termly report to governors (policies 001 and 003: "Ongoing
 * incidents will be reported to the full governing body through the half-termly Heads Report").
 *
 * The school config holds no term dates, so these are a documented default for English schools,
 * consistent with termOf (src/school/school-terms.ts: autumn Sep-Dec, spring Jan-Mar, summer Apr-Aug),
 * each term split at its usual half-term break:
 *   autumn 1: 1 Sep - 31 Oct   (break in late October)
 *   autumn 2: 1 Nov - 31 Dec
 *   spring 1: 1 Jan - 15 Feb   (break in mid February)
 *   spring 2: 16 Feb - 31 Mar
 *   summer 1: 1 Apr - 31 May   (break in late May)
 *   summer 2: 1 Jun - 31 Aug
 * Boundaries are whole UTC days; `to` is exclusive. A holiday's days fall in the half-term before.
 */
export interface HalfTerm {
  /** e.g. "2026-27 autumn 1" */
  id: string;
  label: string;
  /** ISO date-time, inclusive. */
  from: string;
  /** ISO date-time, exclusive. */
  to: string;
}

type Part = { term: 'autumn' | 'spring' | 'summer'; half: 1 | 2; start: [number, number]; end: [number, number]; yearOffset: 0 | 1 };

/** Month (1-12) and day of each half-term's first day; yearOffset: 0 in the autumn's calendar year, 1 in the next. */
const PARTS: Part[] = [
  { term: 'autumn', half: 1, start: [9, 1], end: [11, 1], yearOffset: 0 },
  { term: 'autumn', half: 2, start: [11, 1], end: [1, 1], yearOffset: 0 },
  { term: 'spring', half: 1, start: [1, 1], end: [2, 16], yearOffset: 1 },
  { term: 'spring', half: 2, start: [2, 16], end: [4, 1], yearOffset: 1 },
  { term: 'summer', half: 1, start: [4, 1], end: [6, 1], yearOffset: 1 },
  { term: 'summer', half: 2, start: [6, 1], end: [9, 1], yearOffset: 1 },
];

const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString();
const ID = /^(\d{4})-(\d{2}) (autumn|spring|summer) ([12])$/;

function build(autumnYear: number, part: Part): HalfTerm {
  const startYear = autumnYear + part.yearOffset;
  // The autumn's second half ends on 1 January of the next year.
  const endYear = part.end[0] < part.start[0] ? startYear + 1 : startYear;
  const id = `${autumnYear}-${String((autumnYear + 1) % 100).padStart(2, '0')} ${part.term} ${part.half}`;
  const label = `${part.term[0]!.toUpperCase()}${part.term.slice(1)} ${part.half} ${autumnYear}-${String((autumnYear + 1) % 100).padStart(2, '0')}`;
  return { id, label, from: iso(startYear, ...part.start), to: iso(endYear, ...part.end) };
}

/** The half-term a moment falls in. */
export function halfTermOf(at: string | Date): HalfTerm {
  const t = typeof at === 'string' ? new Date(at) : at;
  const autumnYear = t.getUTCMonth() + 1 >= 9 ? t.getUTCFullYear() : t.getUTCFullYear() - 1;
  for (const part of PARTS) {
    const h = build(autumnYear, part);
    if (t.toISOString() >= h.from && t.toISOString() < h.to) return h;
  }
  throw new Error(`no half-term for ${t.toISOString()}`);
}

/** A half-term by its id ("2026-27 autumn 1"), or undefined when the id is not one. */
export function halfTermById(id: string): HalfTerm | undefined {
  const m = ID.exec(id.trim());
  if (!m) return undefined;
  const autumnYear = Number(m[1]);
  if ((autumnYear + 1) % 100 !== Number(m[2])) return undefined;
  const part = PARTS.find((p) => p.term === m[3] && p.half === Number(m[4]));
  return part && build(autumnYear, part);
}

/** The half-term before this one. */
export function previousHalfTerm(h: HalfTerm): HalfTerm {
  return halfTermOf(new Date(Date.parse(h.from) - 1));
}

/** The last `count` half-terms up to and including the one `at` falls in, newest first. */
export function recentHalfTerms(at: Date, count = 6): HalfTerm[] {
  const out = [halfTermOf(at)];
  while (out.length < count) out.push(previousHalfTerm(out[out.length - 1]!));
  return out;
}
