import type { Audience, SchoolConfig } from '../config/school-config';
import type { SchoolDirectory } from '../school/school-directory';

/** Which configured group holds each audience. Parents are not in the tenant: they get email links. */
const GROUP_OF: Partial<Record<Audience, keyof SchoolConfig['groups']>> = {
  staff: 'staff',
  students: 'students',
  governors: 'governors',
  volunteers: 'volunteers',
};

/** The members of one audience, or undefined when the school has not configured its group. */
export async function membersOf(directory: SchoolDirectory, audience: Audience): Promise<Set<string> | undefined> {
  const group = GROUP_OF[audience];
  return group ? directory.groupMembers(group) : undefined;
}

export async function isInAudience(directory: SchoolDirectory, audiences: Audience[], personId: string): Promise<boolean> {
  for (const a of audiences) if ((await membersOf(directory, a))?.has(personId)) return true;
  return false;
}
