import type { SchoolConfig } from '../../config/school-config';
import type { ControlRule } from '../controls/catalogue';
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

/** The check cannot be made on this snapshot (the data is there but unusable): said, never a pass. */
export interface NotChecked {
  notChecked: string;
}

/**
 * The test behind one control of the catalogue: snapshot in, findings out. Its area, severity,
 * clause and remedy are the control's (src/audit/controls/catalogue.ts), not repeated here.
 */
export interface AuditRule {
  rule: ControlRule;
  evaluate(snapshot: TenantSnapshot, ctx: AuditContext): Finding[] | NotChecked;
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
