/**
 * The areas of the tenant the collector reads, one coverage entry each. Controls name the area they
 * need from this list, so a misspelt area is a type error, and the registry test checks the collector
 * really reports each one (src/audit/collect uses the same type).
 */
export const AUDIT_AREAS = [
  'directory',
  'groups.membership',
  'mail.inbox-rules',
  'mail.mailbox-forwarding',
  'mail.tenant-auto-forward',
  'sharing.tenant-settings',
  'sharing.items',
  'tenant.guest-settings',
  'tenant.cross-tenant-access',
  'meetings.calendars',
  'teams.policies',
] as const;

export type AuditArea = (typeof AUDIT_AREAS)[number];

export const isAuditArea = (s: string): s is AuditArea => (AUDIT_AREAS as readonly string[]).includes(s);
