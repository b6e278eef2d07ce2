import { z } from 'zod';
import { appRole, instant } from './common';

/** GET /api/me: who is signed in and which pages they may open. */
export const meResponse = z.object({
  school: z.string(),
  person: z.object({ id: z.string(), displayName: z.string(), kind: z.string(), roles: z.array(appRole) }),
  navigation: z.array(z.object({ id: z.string(), label: z.string() })),
});
export type Me = z.infer<typeof meResponse>;

/** GET /api/audit-log (IT admin): the newest `limit` entries, 1 to 500 (50 if not given). */
export const auditLogQuery = z.object({
  limit: z.coerce
    .number({ message: 'limit must be a whole number from 1 to 500' })
    .int('limit must be a whole number from 1 to 500')
    .min(1, 'limit must be a whole number from 1 to 500')
    .max(500, 'limit must be a whole number from 1 to 500')
    .default(50),
});
export type AuditLogQuery = z.infer<typeof auditLogQuery>;

/**
 * One entry of the school's activity log as the IT admin sees it. Safeguarding entries (an
 * incident read, a person's chronology) are there, but without whom they were about: that belongs
 * to the safeguarding team (policy 002), so `subjectId` and `detail` are withheld (`withheld: true`).
 */
export const auditLogEntry = z.object({
  id: z.number(),
  at: instant,
  actorId: z.string().nullable(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  /** Ties the entry to the request that made it (quoted to the IT team with an error). */
  correlationId: z.string().nullable(),
  withheld: z.boolean(),
});
export type AuditLogEntry = z.infer<typeof auditLogEntry>;
export const auditLogResponse = z.object({ entries: z.array(auditLogEntry) });
/** GET /api/incidents/access-log (safeguarding team): the safeguarding entries in full, same `limit`. */
export const safeguardingAccessLogResponse = auditLogResponse;
export type AuditLogResponse = z.infer<typeof auditLogResponse>;

/** Demo only: the personas one can sign in as outside Teams. */
export const persona = z.object({ id: z.string(), displayName: z.string(), userPrincipalName: z.string(), description: z.string() });
export type Persona = z.infer<typeof persona>;
export const personasResponse = z.object({ personas: z.array(persona) });
export const demoSignInRequest = z.object({ personaId: z.string().min(1, 'Pick one of the demo personas') });
export type DemoSignInRequest = z.infer<typeof demoSignInRequest>;
export const demoSignInResponse = z.object({ token: z.string() });
export type DemoSignInResponse = z.infer<typeof demoSignInResponse>;
