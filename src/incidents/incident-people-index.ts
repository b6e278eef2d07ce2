import type { Insertable } from 'kysely';
import type { IncidentPersonTable } from '../storage/schema';
import type { IncidentReport } from './incident-report';

/** How a name is matched across reports: as typed, ignoring case and the spaces around it. */
export const nameKey = (name: string): string => name.trim().toLowerCase();

/**
 * The rows that say whom an incident concerns: its reporter, and each person its report names (by
 * Entra id where the directory recognised them, and by name, since a colleague may type a name).
 * Written with the report, in its transaction, so a person's chronology reads only their incidents.
 */
export function peopleOf(incidentId: string, reporterId: string, report: Pick<IncidentReport, 'involved'>): Array<Insertable<IncidentPersonTable>> {
  return [
    { incident_id: incidentId, person_id: reporterId, name_key: null, role: 'reporter' },
    ...report.involved.map((p) => ({ incident_id: incidentId, person_id: p.id ?? null, name_key: nameKey(p.name), role: 'named' as const })),
  ];
}
