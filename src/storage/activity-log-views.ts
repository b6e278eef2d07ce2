import type { AuditLog, AuditRecord } from './audit-log';

/**
 * Who may read what in the school's activity log. Policy 002 "Handling Incidents": what concerns a
 * child's safeguarding is shared only with the safeguarding team. Reads of incidents and of a
 * person's chronology are logged (so the school can show who looked), but the entry names the
 * child it was about (`name:Amy Pupil`, an incident id): the IT admin sees that the read happened
 * and by whom, never about whom; the safeguarding team sees it in full.
 */
export interface ActivityEntry extends AuditRecord {
  /** The subject and detail are kept from this reader (they belong to the safeguarding team). */
  withheld: boolean;
}

export const isSafeguardingEntry = (e: Pick<AuditRecord, 'action' | 'subjectType'>): boolean =>
  e.action.startsWith('incident.') || e.subjectType === 'incident';

export class ActivityLogViews {
  constructor(private readonly log: AuditLog) {}

  /** The IT admin's view: everything, newest `limit`, safeguarding entries without their subject. */
  async forItAdmin(limit: number): Promise<ActivityEntry[]> {
    const entries = await this.log.newest(limit);
    return entries.map((e) => (isSafeguardingEntry(e) ? { ...e, subjectId: null, detail: {}, withheld: true } : { ...e, withheld: false }));
  }

  /** The safeguarding team's view: the safeguarding entries only, in full, newest `limit`. */
  async forSafeguarding(limit: number): Promise<ActivityEntry[]> {
    return (await this.log.newest(limit, { safeguardingOnly: true })).map((e) => ({ ...e, withheld: false }));
  }
}
