import { z } from 'zod';
import { instant } from './common';

/** Acceptable use policies: the admin and head publish and follow coverage; everyone accepts their own. */

export const acceptanceStatus = z.enum(['accepted', 'pending', 'overdue', 'unreachable']);
export type AcceptanceStatus = z.infer<typeof acceptanceStatus>;

/** GET /api/policies */
export const policySummary = z.object({
  policyId: z.string(),
  title: z.string(),
  audience: z.array(z.string()),
  /** How many people publishing would ask to accept (null: the audience's group is not configured). */
  audienceSize: z.number().nullable(),
  latestVersion: z.number().nullable(),
  draftChanged: z.boolean(),
});
export type PolicySummary = z.infer<typeof policySummary>;
export const policiesResponse = z.object({ policies: z.array(policySummary) });

/** POST /api/policies/:policyId/publish: the text as now in the policy file unless given. */
export const publishRequest = z.object({ text: z.string().trim().min(20, 'the policy text is too short').max(200_000).optional() }).strict();
export type PublishRequest = z.input<typeof publishRequest>;
/** `created: false`: that text was already published; `queued`: acceptance requests to send. */
export const publishResponse = z.object({ versionId: z.string(), version: z.number(), created: z.boolean(), queued: z.number() });
export type PublishResponse = z.infer<typeof publishResponse>;

/** POST /api/policies/:policyId/parents/invite: parents asked to counter-sign a student policy. */
export const inviteParentsResponse = z.object({ queued: z.number() });
export type InviteParentsResponse = z.infer<typeof inviteParentsResponse>;

/** GET /api/policies/:policyId/coverage (`?format=csv`: the same rows as a download). */
export const coveragePerson = z.object({
  personId: z.string(),
  name: z.string(),
  upn: z.string(),
  audience: z.string(),
  status: acceptanceStatus,
  acceptedVersion: z.number().nullable(),
  acceptedAt: instant.nullable(),
});
export const coverageResponse = z.object({
  policyId: z.string(),
  title: z.string(),
  version: z.number().nullable(),
  publishedAt: instant.nullable(),
  deadline: instant.nullable(),
  counts: z.record(z.string(), z.record(acceptanceStatus, z.number())),
  /** Acceptances of the current version per day, cumulative: the chart. */
  overTime: z.array(z.object({ day: z.string(), accepted: z.number() })),
  people: z.array(coveragePerson),
  /** For student policies once parents were asked: children with a parent's counter-signature. */
  parents: z.object({ invited: z.number(), signed: z.number() }).optional(),
});
export type Coverage = z.infer<typeof coverageResponse>;

/** GET /api/people/:personId/acceptances: one person's acceptances (their own, or any for admin and head). */
export const acceptanceRecord = z.object({
  policyId: z.string(),
  version: z.number(),
  acceptedAt: instant,
  channel: z.enum(['teams-card', 'tab']),
  /** SHA-256 of the exact text accepted: proves which words were agreed to. */
  textHash: z.string(),
});
export type AcceptanceRecord = z.infer<typeof acceptanceRecord>;
export const acceptancesResponse = z.object({ acceptances: z.array(acceptanceRecord) });

/** GET /api/my/policies */
export const myPolicy = z.object({
  policyId: z.string(),
  title: z.string(),
  version: z.number(),
  versionId: z.string(),
  status: z.enum(['accepted', 'pending']),
  acceptedAt: instant.nullable(),
  text: z.string(),
  clauses: z.array(z.string()),
});
export type MyPolicy = z.infer<typeof myPolicy>;
export const myPoliciesResponse = z.object({ policies: z.array(myPolicy) });

/** POST /api/my/policies/:versionId/accept (`created: false`: already accepted, nothing changed). */
export const acceptPolicyResponse = z.object({ acceptedAt: instant, version: z.number(), created: z.boolean() });
export type AcceptPolicyResponse = z.infer<typeof acceptPolicyResponse>;
