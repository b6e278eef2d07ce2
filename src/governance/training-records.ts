import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { describeZodError } from '../config/load-school-config';
import { CsvError, parse } from 'csv-parse/sync';
import { csvTable } from '../report/csv';
import type { Person, SchoolDirectory } from '../school/school-directory';
import type { Database } from '../storage/schema';
import { InvalidInput, NotAllowed } from '../errors/domain-errors';

export class TrainingNotAllowed extends NotAllowed {
  constructor(message: string) {
    super(message, 'forbidden');
  }
}
export class InvalidTraining extends InvalidInput {
  constructor(message: string) {
    super(message, 'invalid-request');
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const recordInput = z
  .object({
    upn: z.string().trim().email('upn must be the person\u2019s school email address'),
    course: z.string().trim().min(3, 'name the course').max(200),
    completedOn: z.string().regex(DATE, 'completedOn must be a date such as 2026-09-04'),
    /** When a refresher is due; a year after completion (annual refresher) if not given. */
    expiresOn: z.string().regex(DATE, 'expiresOn must be a date such as 2027-09-04').optional(),
    evidenceUrl: z.string().trim().url('evidenceUrl must be a link to the certificate or register').or(z.literal('')).default(''),
  })
  .strict();

export type TrainingStatus = 'current' | 'expiring' | 'expired' | 'missing';

export interface TrainingRow {
  personId: string;
  name: string;
  upn: string;
  audience: 'staff' | 'governors';
  status: TrainingStatus;
  course: string | null;
  completedOn: string | null;
  expiresOn: string | null;
  evidenceUrl: string | null;
}

export interface TrainingSummary {
  asAt: string;
  counts: Record<string, Record<TrainingStatus, number>>;
  source: { register: string; filter: string };
}

/** The head ensures all staff are trained; the DSL facilitates it (policy 002). Governors are trained too. */
const mayManage = (p: Person) => p.roles.some((r) => r === 'headteacher' || r === 'dsl' || r === 'admin');

const addYear = (d: string) => {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCFullYear(x.getUTCFullYear() + 1);
  return x.toISOString().slice(0, 10);
};

/**
 * RFC 4180 rows, read by csv-parse (quoted fields, doubled quotes, CRLF, LF or CR line ends, rows of
 * any length); blank rows are left out. A file that cannot be read (a quote never closed) says where.
 */
export function parseCsv(text: string): string[][] {
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] });
  } catch (e) {
    if (e instanceof CsvError) throw new InvalidTraining(`the CSV could not be read: ${e.message}`);
    throw e;
  }
  return rows.filter((r) => r.some((x) => x.trim() !== ''));
}

/**
 * Online-safety training for staff and governors: recorded one by one or from a CSV, and who is
 * missing or due a refresher, for the head and the DSL.
 */
export class TrainingRecords {
  private readonly db: Kysely<Database>;
  private readonly directory: SchoolDirectory;
  private readonly options: { expiringWithinDays: number };
  private readonly now: () => Date;

  constructor(deps: { db: Kysely<Database>; directory: SchoolDirectory; options?: { expiringWithinDays: number }; clock?: () => Date }) {
    this.db = deps.db;
    this.directory = deps.directory;
    this.options = deps.options ?? { expiringWithinDays: 30 };
    this.now = deps.clock ?? (() => new Date());
  }

  async record(input: unknown, recorder: Person): Promise<{ created: boolean }> {
    if (!mayManage(recorder)) throw new TrainingNotAllowed('training records are kept by the headteacher and the DSL');
    const parsed = recordInput.safeParse(input);
    if (!parsed.success) throw new InvalidTraining(describeZodError(parsed.error));
    return this.save(parsed.data, recorder);
  }

  /** The header names the columns: upn, course, completedOn, expiresOn (optional), evidenceUrl (optional). */
  async importCsv(csv: string, recorder: Person): Promise<{ imported: number; duplicates: number; errors: Array<{ line: number; message: string }> }> {
    if (!mayManage(recorder)) throw new TrainingNotAllowed('training records are kept by the headteacher and the DSL');
    const [header, ...rows] = parseCsv(csv.replace(/^\uFEFF/, ''));
    if (!header) throw new InvalidTraining('the CSV is empty');
    const cols = header.map((h) => h.trim());
    for (const need of ['upn', 'course', 'completedOn'])
      if (!cols.includes(need)) throw new InvalidTraining(`the CSV needs a "${need}" column (columns: upn, course, completedOn, expiresOn, evidenceUrl)`);
    if (rows.length > 5000) throw new InvalidTraining('at most 5000 rows at a time');
    let imported = 0;
    let duplicates = 0;
    const errors: Array<{ line: number; message: string }> = [];
    for (const [n, r] of rows.entries()) {
      const obj = Object.fromEntries(cols.map((c, i) => [c, (r[i] ?? '').trim()]).filter(([, v]) => v !== ''));
      const parsed = recordInput.safeParse(obj);
      if (!parsed.success) {
        errors.push({ line: n + 2, message: describeZodError(parsed.error) });
        continue;
      }
      try {
        const { created } = await this.save(parsed.data, recorder);
        if (created) imported++;
        else duplicates++;
      } catch (e) {
        errors.push({ line: n + 2, message: (e as Error).message });
      }
    }
    return { imported, duplicates, errors };
  }

  private async save(r: z.infer<typeof recordInput>, recorder: Person): Promise<{ created: boolean }> {
    const personId = await this.directory.userIdOf(r.upn);
    if (!personId) throw new InvalidTraining(`${r.upn} is not in the school\u2019s directory`);
    const recordKey = createHash('sha256').update(`${personId}|${r.course.toLowerCase()}|${r.completedOn}`).digest('hex');
    const exists = await this.db.selectFrom('training_record').select('id').where('record_key', '=', recordKey).executeTakeFirst();
    if (exists) return { created: false };
    try {
      await this.db
        .insertInto('training_record')
        .values({
          id: randomUUID(),
          record_key: recordKey,
          person_id: personId,
          upn: r.upn.toLowerCase(),
          course: r.course,
          completed_on: r.completedOn,
          expires_on: r.expiresOn ?? addYear(r.completedOn),
          evidence_url: r.evidenceUrl,
          recorded_by: recorder.id,
          recorded_at: this.now().toISOString(),
        })
        .execute();
      return { created: true };
    } catch (e) {
      if (await this.db.selectFrom('training_record').select('id').where('record_key', '=', recordKey).executeTakeFirst()) return { created: false };
      throw e;
    }
  }

  /** Everyone in staff and governors with their latest training, missing or expiring first. */
  async status(viewer: Person, asAt = this.now()): Promise<TrainingRow[]> {
    if (!mayManage(viewer)) throw new TrainingNotAllowed('training records are for the headteacher and the DSL');
    return this.rows(asAt);
  }

  private async rows(asAt: Date): Promise<TrainingRow[]> {
    const today = asAt.toISOString().slice(0, 10);
    const soon = new Date(asAt.getTime() + this.options.expiringWithinDays * 86_400_000).toISOString().slice(0, 10);
    const records = await this.db.selectFrom('training_record').selectAll().where('completed_on', '<=', today).orderBy('completed_on', 'desc').execute();
    const latest = new Map<string, (typeof records)[number]>();
    for (const r of records) if (!latest.has(r.person_id)) latest.set(r.person_id, r);
    const names = await this.directory.names();
    const out: TrainingRow[] = [];
    const seen = new Set<string>();
    for (const audience of ['staff', 'governors'] as const) {
      for (const id of (await this.directory.groupMembers(audience)) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const r = latest.get(id);
        const status: TrainingStatus = !r
          ? 'missing'
          : r.expires_on && r.expires_on < today
            ? 'expired'
            : r.expires_on && r.expires_on <= soon
              ? 'expiring'
              : 'current';
        const n = names.get(id);
        out.push({
          personId: id,
          name: n?.displayName ?? id,
          upn: n?.userPrincipalName ?? '',
          audience,
          status,
          course: r?.course ?? null,
          completedOn: r?.completed_on ?? null,
          expiresOn: r?.expires_on ?? null,
          evidenceUrl: r?.evidence_url ?? null,
        });
      }
    }
    const order: TrainingStatus[] = ['missing', 'expired', 'expiring', 'current'];
    return out.sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status) || a.name.localeCompare(b.name));
  }

  /** Counts only, for the governors' report. */
  async summary(asAt: Date): Promise<TrainingSummary> {
    const counts: TrainingSummary['counts'] = {};
    for (const r of await this.rows(asAt)) {
      counts[r.audience] ??= { current: 0, expiring: 0, expired: 0, missing: 0 };
      counts[r.audience]![r.status] += 1;
    }
    return {
      asAt: asAt.toISOString(),
      counts,
      source: {
        register: 'training_record + staff and governors groups',
        filter: `latest record per person completed on or before ${asAt.toISOString().slice(0, 10)}; expiring = refresher due within ${this.options.expiringWithinDays} days`,
      },
    };
  }

  async csv(viewer: Person): Promise<string> {
    const rows = await this.status(viewer);
    return csvTable(
      ['name', 'upn', 'audience', 'status', 'course', 'completedOn', 'expiresOn', 'evidenceUrl'],
      rows.map((r) => [r.name, r.upn, r.audience, r.status, r.course, r.completedOn, r.expiresOn, r.evidenceUrl]),
    );
  }
}
