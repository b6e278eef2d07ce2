import type { Person } from '../school/school-directory';
import { termOf } from '../school/school-terms';
import type { AuditLog } from '../storage/audit-log';
import type { IncidentAccess } from './incident-access';
import { NotAllowed } from './incident-errors';
import type { IncidentReport } from './incident-report';
import { statusFrom, type IncidentStore } from './incident-store';
import type { IncidentView } from './incident-view';

/** Reading incidents as people may: the safeguarding team's queue, one incident, the governors' numbers. */
export class IncidentQueue {
  private readonly store: IncidentStore;
  private readonly access: IncidentAccess;
  private readonly audit: AuditLog;
  private readonly now: () => Date;

  constructor(deps: { store: IncidentStore; access: IncidentAccess; audit: AuditLog; clock?: () => Date }) {
    this.store = deps.store;
    this.access = deps.access;
    this.audit = deps.audit;
    this.now = deps.clock ?? (() => new Date());
  }

  /** The safeguarding team's queue, newest first, filtered by status, category, age and person. */
  async list(
    viewer: Person,
    filter: { status?: string; category?: string; olderThanHours?: number; person?: string } = {},
  ): Promise<Array<{ id: string; reportedAt: string; category: string; subCategory: string; urgent: boolean; status: string }>> {
    // Outside the safeguarding team, only what was sent to you (the head, the chair of governors).
    const routed = viewer.roles.includes('safeguarding') ? undefined : await this.access.routedTo(viewer);
    if (routed && !viewer.roles.some((r) => r === 'headteacher' || r === 'chair')) throw new NotAllowed('the incident queue is for the safeguarding team');
    const rows = await this.store.newest({
      ...(filter.category ? { category: filter.category } : {}),
      ...(filter.olderThanHours ? { reportedBefore: new Date(this.now().getTime() - filter.olderThanHours * 3_600_000).toISOString() } : {}),
    });
    // From the index of whom each report names: no report is read to filter the queue.
    const matching = filter.person?.trim() ? await this.store.naming(filter.person.trim()) : undefined;
    return rows
      .filter(({ incident: r }) => (!matching || matching.has(r.id)) && (!routed || routed.has(r.id)))
      .map(({ incident: r, kinds }) => ({
        id: r.id,
        reportedAt: r.reported_at,
        category: r.category,
        subCategory: r.sub_category,
        urgent: r.urgent === 1,
        status: statusFrom(kinds),
      }))
      .filter((r) => !filter.status || r.status === filter.status);
  }

  /** Reads are logged: who looked at which incident, and when. */
  async read(incidentId: string, reader: Person): Promise<IncidentView & { people: IncidentReport['involved'] }> {
    await this.access.assertMayRead(incidentId, reader);
    await this.audit.append({ actorId: reader.id, action: 'incident.read', subjectType: 'incident', subjectId: incidentId });
    return this.show(incidentId);
  }

  /** The incident and the people it names, for someone already allowed to see it. */
  async show(incidentId: string): Promise<IncidentView & { people: IncidentReport['involved'] }> {
    const first = await this.store.first(incidentId);
    return { ...(await this.store.view(incidentId)), people: first === 'erased' ? [] : first.report.involved };
  }

  /**
   * For governors (policy 001 "Responsibilities": governors review the log): counts by category
   * and term, and hours to acknowledge and to close. No names, no text.
   */
  async governorsReport(viewer: Person): Promise<
    Array<{
      term: string;
      category: string;
      subCategory: string;
      incidents: number;
      medianHoursToAcknowledge: number | null;
      medianHoursToClose: number | null;
    }>
  > {
    // Numbers only, no names: for the governing body (policy 001), the head and the safeguarding team.
    if (!viewer.roles.some((r) => r === 'safeguarding' || r === 'headteacher' || r === 'governor'))
      throw new NotAllowed("the governors' report is for the governing body, the headteacher and the safeguarding team");
    // One row per incident with its first acknowledgement and closing: linear in the incidents.
    const incidents = await this.store.timings();
    const hours = (at: string | null, from: string) => (at ? (Date.parse(at) - Date.parse(from)) / 3_600_000 : null);
    const median = (xs: Array<number | null>) => {
      const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
      return v.length ? Math.round(v[Math.floor((v.length - 1) / 2)]! * 10) / 10 : null;
    };
    const groups = new Map<string, typeof incidents>();
    for (const i of incidents) {
      const key = `${termOf(i.reported_at)}|${i.category}|${i.sub_category}`;
      const group = groups.get(key);
      if (group) group.push(i);
      else groups.set(key, [i]);
    }
    return [...groups.entries()].sort().map(([key, list]) => {
      const [term, category, subCategory] = key.split('|') as [string, string, string];
      return {
        term,
        category,
        subCategory,
        incidents: list.length,
        medianHoursToAcknowledge: median(list.map((i) => hours(i.acknowledged_at, i.reported_at))),
        medianHoursToClose: median(list.map((i) => hours(i.closed_at, i.reported_at))),
      };
    });
  }
}
