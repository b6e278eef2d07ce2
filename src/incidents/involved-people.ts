import type { Person } from '../school/school-directory';
import type { IncidentReport } from './incident-report';

type Involved = IncidentReport['involved'][number];

/** What the intake needs of the directory to recognise the people a report names. */
export interface PeopleLookup {
  names(): Promise<Map<string, { displayName: string; userPrincipalName: string }>>;
  person(id: string): Promise<Person | undefined>;
}

/** The words the report forms use for "the concern is about the headteacher" when no name is given. */
export const HEADTEACHER_PLACEHOLDER = 'the headteacher';

const ROLE_OF_KIND: Partial<Record<Person['kind'], Involved['role']>> = { staff: 'staff', student: 'student', governor: 'governor' };

/**
 * The people a report names, as the school knows them (policy 002 "Handling Incidents": a concern
 * about the headteacher goes to the chair of governors and the LADO, never to the head). Each name
 * that matches exactly one person in the directory (display name or sign-in name) gets that person's
 * id and role, so the head is recognised whatever role the reporter picked, and "about the
 * headteacher" marks only the head, never everyone named. A name shared by two people stays as
 * written: guessing would send a concern to the wrong person.
 */
export async function recogniseInvolved(involved: Involved[], directory: PeopleLookup, headteacherId: string | undefined): Promise<Involved[]> {
  const everyone = await directory.names();
  const byName = new Map<string, string[]>();
  for (const [id, p] of everyone) {
    for (const key of new Set([p.displayName.trim().toLowerCase(), p.userPrincipalName.toLowerCase()])) byName.set(key, [...(byName.get(key) ?? []), id]);
  }
  const out: Involved[] = [];
  const seen = new Set<string>();
  // The reporter said the concern is about the head: that stands even if the names say otherwise.
  const saysAboutHead = involved.some((p) => p.role === 'headteacher');
  for (const person of involved) {
    const placeholder = person.role === 'headteacher' && !person.id && person.name.trim().toLowerCase() === HEADTEACHER_PLACEHOLDER;
    const matches = byName.get(person.name.trim().toLowerCase()) ?? [];
    const id = person.id ?? (placeholder ? headteacherId : matches.length === 1 ? matches[0] : undefined);
    if (!id) {
      // Someone the directory does not know: "the headteacher" is only ever the head themself.
      if (!placeholder) out.push(person.role === 'headteacher' ? { ...person, role: 'staff' } : person);
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    const name = everyone.get(id)?.displayName ?? person.name;
    if (id === headteacherId) {
      out.push({ id, name, role: 'headteacher' });
      continue;
    }
    const kind = (await directory.person(id))?.kind;
    out.push({ id, name, role: (kind && ROLE_OF_KIND[kind]) ?? (person.role === 'headteacher' ? 'staff' : person.role) });
  }
  if (saysAboutHead && !out.some((p) => p.role === 'headteacher')) {
    const head = headteacherId ? everyone.get(headteacherId) : undefined;
    out.push(
      headteacherId
        ? { id: headteacherId, name: head?.displayName ?? HEADTEACHER_PLACEHOLDER, role: 'headteacher' }
        : { name: HEADTEACHER_PLACEHOLDER, role: 'headteacher' },
    );
  }
  return out;
}
