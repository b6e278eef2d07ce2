import { z } from 'zod';
import { CLAUSE_KEYS, clauseLocation } from './policy-clauses';
import { didYouMean } from './did-you-mean';

// Every object here is strict (.strict()): a mistyped key (`deputy:` for `deputies:`) would
// otherwise be dropped without a word, and the school would run without what it thought it set.
// parseSchoolConfig names the nearest known key.

/**
 * The school's configuration: who is who, which mail domains are "inside the school", and which
 * policy documents the app enforces. Secrets (client secret, bot password) never live here; they
 * come from the environment so this file can be committed and reviewed.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const guid = z.string().regex(GUID, 'must be a GUID (Entra id)');
const guidOrEmail = (message: string) => z.string().refine((v) => GUID.test(v) || EMAIL.test(v), message);

const mailDomain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a mail domain such as school.org.uk')
  .transform((d) => d.toLowerCase());

/**
 * An IANA zone such as Europe/London, as Intl knows it (school hours and "the same day" are worked
 * out in it). Offsets such as +01:00 are refused: they ignore British Summer Time.
 */
export function isIanaTimeZone(zone: string): boolean {
  if (!/^[A-Za-z]/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().superRefine((zone, ctx) => {
  if (isIanaTimeZone(zone)) return;
  const suggestion = didYouMean(zone, Intl.supportedValuesOf('timeZone'));
  ctx.addIssue({ code: 'custom', message: `"${zone}" is not an IANA time zone such as Europe/London${suggestion ? `; did you mean ${suggestion}?` : ''}` });
});

/** A group is named by its Entra object id or by its mail address. */
const groupRef = guidOrEmail('must be a group id (GUID) or the group mail address');

/** A person inside the tenant, named by UPN (or Entra object id). */
const personRef = guidOrEmail('must be a UPN such as head@school.org.uk or an Entra id');

/** Someone who may be outside the tenant (the LADO, the chair of governors). */
const contact = z.object({
  name: z.string().min(1),
  email: z.string().email(),
  phone: z.string().optional(),
}).strict();

const LESSON_ANNOUNCEMENT =
  'This lesson is being recorded, in line with the school\'s remote working policy. The recording is kept by the school and used only to keep everyone safe.';
const MEETING_ANNOUNCEMENT =
  'This meeting is in the school\'s Teams. If it is recorded, the organiser must say so now, so that everyone knows (remote working policy).';

const audience = z.enum(['staff', 'students', 'governors', 'volunteers', 'parents']);

const policyDocument = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1),
  kind: z.enum(['aup', 'e-safety-policy', 'other']),
  audience: z.array(audience).min(1),
  /** Markdown file, relative to the config file. */
  file: z.string().min(1),
  /** Which source policy (../shared/policies) the text comes from, for citations. */
  source: z.string().optional(),
  /** Who answers questions about it ("I have a question" on the card); the headteacher if unset. */
  owner: personRef.optional(),
  /** When the annual review is next due (YYYY-MM-DD); a year after publication (or the last review) if unset. */
  reviewBy: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2027-09-01').optional(),
  reacceptance: z
    .object({
      onNewVersion: z.boolean().default(true),
      everyTerm: z.boolean().default(false),
      everyDays: z.number().int().positive().optional(),
      onJoining: z.boolean().default(true),
    })
    .strict()
    .default({ onNewVersion: true, everyTerm: false, onJoining: true }),
}).strict();

export const schoolConfigSchema = z
  .object({
    school: z.object({
      name: z.string().min(1),
      tenantId: guid,
      mailDomains: z.array(mailDomain).min(1, 'name at least one mail domain'),
      timeZone: timeZone.default('Europe/London'),
    }).strict(),
    groups: z
      .object({
        staff: groupRef.optional(),
        students: groupRef.optional(),
        governors: groupRef.optional(),
        volunteers: groupRef.optional(),
        admins: groupRef.optional(),
        safeguardingTeam: groupRef.optional(),
      })
      .strict()
      .default({}),
    safeguarding: z.object({
      dsl: personRef,
      deputies: z.array(personRef).default([]),
      headteacher: personRef,
      chairOfGovernors: contact,
      lado: contact,
      /**
       * How long incident records are kept. The default keeps everything: destroying a child
       * protection record is a decision, never an accident. `after-birth` follows UK guidance: a
       * record about a child is kept until their date of birth + 25 years, then its text is erased.
       */
      retention: z
        .object({
          mode: z.enum(['keep', 'after-birth']).default('keep'),
          yearsAfterBirth: z.number().int().min(1).max(100).default(25),
        })
        .strict()
        .default({ mode: 'keep', yearsAfterBirth: 25 }),
    }).strict(),
    /**
     * When groups are not set, people are classified by the Education API (`primaryRole`) and then
     * by licence SKU (A1/A3/A5 "faculty" vs "student" plans).
     */
    classification: z
      .object({
        useEducationApi: z.boolean().default(true),
        staffSkuIds: z.array(guid).default([]),
        studentSkuIds: z.array(guid).default([]),
      })
      .strict()
      .default({ useEducationApi: true, staffSkuIds: [], studentSkuIds: [] }),
    /**
     * Email for people outside Teams (the LADO, parents): sent through Graph from this school
     * mailbox (a shared mailbox; "Application Mail.Send" is granted on it alone through Exchange RBAC
     * for Applications, docs/permissions.md; never an application access policy).
     */
    mail: z.object({ sender: z.string().regex(EMAIL, 'must be the mail address of a school mailbox') }).strict().optional(),
    policies: z.array(policyDocument).default([]),
    /**
     * Where each clause the app enforces is in the school's own policies (policy-clauses.ts): the
     * audit's findings quote it. Unset, a clause is found where the shipped templates have it.
     */
    clauses: z.partialRecord(z.enum(CLAUSE_KEYS), clauseLocation).optional(),
    /**
     * The tenant audit. Teams meeting and federation policies are not in Microsoft Graph: an export
     * of Get-CsTeamsMeetingPolicy and Get-CsTenantFederationConfiguration (docs/audit.md), kept
     * beside the configuration, lets every audit (the daily one and the tab's) check them.
     */
    audit: z
      .object({
        teamsPolicyExport: z.string().min(1).optional(),
        /** An incremental audit (--since-last) reads everything again once the last full read is this many days old. */
        fullSweepDays: z.number().int().min(1).max(90).optional(),
      })
      .strict()
      .optional(),
    /** Remote lessons (policy 000 "5. Remote Working"). */
    lessons: z
      .object({
        /** Posted in the meeting chat when a lesson starts. */
        announcement: z.string().min(10).default(LESSON_ANNOUNCEMENT),
        /** Posted when another meeting the bot is in starts. */
        meetingAnnouncement: z.string().min(10).default(MEETING_ANNOUNCEMENT),
        /** How long after a lesson ends its recording must exist. */
        recordingCheckMinutes: z.number().int().min(5).max(1440).default(30),
      })
      .strict()
      .default({ announcement: LESSON_ANNOUNCEMENT, meetingAnnouncement: MEETING_ANNOUNCEMENT, recordingCheckMinutes: 30 }),
  })
  .strict();

export type SchoolConfig = z.infer<typeof schoolConfigSchema>;
export type PolicyDocumentConfig = z.infer<typeof policyDocument>;
export type Audience = z.infer<typeof audience>;
export type Contact = z.infer<typeof contact>;
