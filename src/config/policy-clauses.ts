import { z } from 'zod';

/**
 * The clauses of a school's policies that the app enforces (the audit's findings cite them). Each
 * school says where each one is in its own documents (`clauses:` in its configuration); the words
 * cited are then its own, never another school's.
 */
export const CLAUSE_KEYS = ['teamsWithinSchool', 'lessonsRecorded', 'secureEmailOnly', 'noPersonalDataByEmail', 'personalDataSentSecurely', 'guestAccountsTemporary'] as const;
export type ClauseKey = (typeof CLAUSE_KEYS)[number];

/** Where one clause is: a configured policy (by id) and its numbered item; `section` names the part of the policy it is in. */
export const clauseLocation = z
  .object({
    policy: z.string().min(1),
    clause: z.number().int().min(1),
    section: z.string().min(1).optional(),
    /** Filled in from the policy's own text when the configuration is loaded; give it only for a policy that is not numbered. */
    quote: z.string().min(1).optional(),
  })
  .strict();
export type ClauseLocation = z.infer<typeof clauseLocation>;

/**
 * Where each clause is in the shipped template policies (config/policies/*.md, from the UK school
 * policies the app was written from). A school that keeps the templates' ids and numbering needs no
 * `clauses:` of its own. The quote stands in only when the school has no such policy configured.
 */
export const TEMPLATE_CLAUSES: Record<ClauseKey, Required<Pick<ClauseLocation, 'policy' | 'clause' | 'section' | 'quote'>>> = {
  teamsWithinSchool: {
    policy: 'e-safety-policy',
    clause: 2,
    section: 'Remote Working',
    quote:
      "The school's Microsoft Teams is for use within the school (staff and students). Staff may join Teams meetings with third parties only if the meeting is set up by the third party.",
  },
  lessonsRecorded: {
    policy: 'e-safety-policy',
    clause: 3,
    section: 'Remote Working',
    quote: 'All lessons must be recorded; other meetings may be recorded if desired, but this must be announced on each occasion.',
  },
  secureEmailOnly: {
    policy: 'e-safety-policy',
    clause: 4,
    section: 'Emailing and Social Media',
    quote: 'Sensitive information is only sent by secure email systems, or in password-protected or encrypted documents.',
  },
  noPersonalDataByEmail: {
    policy: 'e-safety-policy',
    clause: 4,
    section: 'Emailing and Social Media',
    quote: 'Sensitive information is only sent by secure email systems, or in password-protected or encrypted documents.',
  },
  personalDataSentSecurely: {
    policy: 'e-safety-policy',
    clause: 4,
    section: 'Emailing and Social Media',
    quote: 'Sensitive information is only sent by secure email systems, or in password-protected or encrypted documents.',
  },
  guestAccountsTemporary: {
    policy: 'e-safety-policy',
    clause: 7,
    section: 'Managing IT and Communication Systems',
    quote: 'Guest accounts are used occasionally, for external or short-term visitors, and give temporary access to appropriate services only.',
  },
};

/** The numbered items of a policy's Markdown ("1. I will ..."), in order: what a clause number counts. */
export function numberedClauses(markdown: string): string[] {
  return [...markdown.matchAll(/^\s*\d+[.)]\s+(.+)$/gm)].map((m) => m[1]!.trim());
}
