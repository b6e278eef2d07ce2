import type { SchoolConfig } from '../../config/school-config';
import type { Finding } from '../findings';
import type { SnapshotUser, TenantSnapshot } from '../snapshot';

/** What a rule may know besides the snapshot: the school's domains and who is staff or a student. */
export interface AuditContext {
  schoolDomains: string[];
  staffIds: Set<string>;
  studentIds: Set<string>;
  staffGroupId: string | undefined;
  studentGroupId: string | undefined;
  userById: Map<string, SnapshotUser>;
  /** Lower-cased mail and UPN to user. */
  userByAddress: Map<string, SnapshotUser>;
}

export interface AuditRule {
  id: string;
  /** The coverage check whose data it reads: no data, no findings, and the report says why. */
  needs: string;
  title: string;
  evaluate(snapshot: TenantSnapshot, ctx: AuditContext): Finding[];
}

export function auditContext(snapshot: TenantSnapshot, config: Pick<SchoolConfig, 'school' | 'groups'>): AuditContext {
  const byMail = (ref: string | undefined) => (ref ? snapshot.groups.find((g) => g.id === ref || g.mail?.toLowerCase() === ref.toLowerCase()) : undefined);
  const staffGroup = byMail(config.groups.staff);
  const studentGroup = byMail(config.groups.students);
  const userById = new Map(snapshot.users.map((u) => [u.id, u]));
  const userByAddress = new Map<string, SnapshotUser>();
  for (const u of snapshot.users) {
    if (u.mail) userByAddress.set(u.mail.toLowerCase(), u);
    userByAddress.set(u.userPrincipalName.toLowerCase(), u);
  }
  return {
    schoolDomains: config.school.mailDomains,
    staffIds: new Set(staffGroup?.memberIds ?? []),
    studentIds: new Set(studentGroup?.memberIds ?? []),
    staffGroupId: staffGroup?.id,
    studentGroupId: studentGroup?.id,
    userById,
    userByAddress,
  };
}

export const nameOf = (ctx: AuditContext, id: string) => ctx.userById.get(id)?.userPrincipalName ?? id;
