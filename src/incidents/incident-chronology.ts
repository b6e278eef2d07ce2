import type { Person, SchoolDirectory } from '../school/school-directory';
import type { AuditLog } from '../storage/audit-log';
import { InvalidReport, NotAllowed } from './incident-errors';
import type { IncidentStore } from './incident-store';
import type { IncidentView } from './incident-view';

export interface ChronologyEntry {
  incidentId: string;
  at: string;
  kind: string;
  /** What people read for the kind ("Flagged: still open at the end of the school day"). */
  label: string;
  text: string;
  category: string;
  subCategory: string;
  asReporter: boolean;
}

/** A person across incidents: the DSL's chronology of a child, and a subject access export. Every such read is logged. */
export class IncidentChronology {
  private readonly store: IncidentStore;
  private readonly directory: SchoolDirectory;
  private readonly audit: AuditLog;

  constructor(deps: { store: IncidentStore; directory: SchoolDirectory; audit: AuditLog }) {
    this.store = deps.store;
    this.directory = deps.directory;
    this.audit = deps.audit;
  }

  /**
   * A subject access request: every incident a person reported or is named in, with its chronology.
   * Matches the person's Entra id, or their name where a report named them in free text.
   */
  async exportForPerson(
    person: { id: string; displayName: string },
    requestedBy: string,
  ): Promise<Array<IncidentView & { reportedAt: string; reportedByThisPerson: boolean }>> {
    const out: Array<IncidentView & { reportedAt: string; reportedByThisPerson: boolean }> = [];
    for (const i of await this.store.concerning({ id: person.id, name: person.displayName })) {
      out.push({ ...(await this.store.view(i.id)), reportedAt: i.reported_at, reportedByThisPerson: i.reporter_id === person.id });
    }
    await this.audit.append({
      actorId: requestedBy,
      action: 'incident.subject-access-export',
      subjectType: 'person',
      subjectId: person.id,
      detail: { incidents: out.length },
    });
    return out;
  }

  /**
   * One person's chronology across incidents (a DSL's view of a child): every entry of every
   * incident they reported or were named in, oldest first. The read is logged like any other.
   */
  async chronologyOf(
    who: { id?: string; name?: string },
    viewer: Person,
  ): Promise<{ person: { id?: string; name: string }; incidents: number; entries: ChronologyEntry[] }> {
    if (!viewer.roles.includes('safeguarding')) throw new NotAllowed("a person's chronology is for the safeguarding team");
    const known = who.id ? await this.directory.person(who.id).catch(() => undefined) : undefined;
    const name = known?.displayName ?? who.name?.trim() ?? '';
    if (!who.id && !name) throw new InvalidReport('person: give an id or a name');
    const key = { ...(who.id ? { id: who.id } : {}), name };
    const entries: ChronologyEntry[] = [];
    let incidents = 0;
    // Only this person's incidents are read (the index written with each report), not every report.
    for (const i of await this.store.concerning(key)) {
      incidents += 1;
      const view = await this.store.view(i.id);
      const asReporter = !!key.id && i.reporter_id === key.id;
      entries.push({
        incidentId: i.id,
        at: i.reported_at,
        kind: asReporter ? 'reported by them' : 'reported',
        label: asReporter ? 'Reported by them' : 'Reported',
        text: view.whatHappened,
        category: view.category,
        subCategory: view.subCategory,
        asReporter,
      });
      for (const h of view.history)
        entries.push({
          incidentId: i.id,
          at: h.at,
          kind: h.kind,
          label: h.label,
          text: h.text,
          category: view.category,
          subCategory: view.subCategory,
          asReporter,
        });
    }
    entries.sort((a, b) => a.at.localeCompare(b.at));
    await this.audit.append({
      actorId: viewer.id,
      action: 'incident.person-chronology-read',
      subjectType: 'person',
      subjectId: key.id ?? `name:${name}`,
      detail: { incidents },
    });
    return { person: key, incidents, entries };
  }
}
