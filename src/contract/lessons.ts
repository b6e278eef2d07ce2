import { z } from 'zod';
import { instant } from './common';

/** The teacher's lessons page: start an online lesson for a class, see upcoming and past ones. */

export const lessonClass = z.object({ id: z.string(), displayName: z.string() });
export const lessonClassesResponse = z.object({ classes: z.array(lessonClass) });
export type LessonClass = z.infer<typeof lessonClass>;

/** POST /api/lessons */
export const startLessonRequest = z
  .object({
    submissionId: z.string().uuid('submissionId must be a UUID'),
    classId: z.string().min(1, 'choose a class'),
    title: z.string().trim().min(3, 'give the lesson a title').max(200),
    /**
     * "now", or when it starts: the school's local time as the teacher typed it ("2026-11-24T09:00",
     * read in the school's time zone), or an instant with its offset.
     */
    start: z.union([z.literal('now'), z.string().datetime({ offset: true, local: true, message: 'start must be "now" or a date and time' })]).default('now'),
    durationMinutes: z.coerce.number().int().min(10, 'a lesson lasts at least 10 minutes').max(240, 'a lesson lasts at most 4 hours').default(60),
    /** Anyone else to invite (co-teachers, support staff): inside the school only. */
    invite: z.array(z.string().email()).max(20).default([]),
  })
  .strict();
export type StartLessonRequest = z.input<typeof startLessonRequest>;

/** A lesson as the tab shows it (the stored row's meeting and chat ids stay on the server). */
export const lesson = z.object({
  id: z.string(),
  title: z.string(),
  className: z.string(),
  startsAt: instant,
  endsAt: instant,
  joinUrl: z.string(),
  /** When pupils were told the lesson may be recorded; null: not yet. */
  announcedAt: instant.nullable(),
  endedAt: instant.nullable(),
  recordingCheckedAt: instant.nullable(),
  /** Whether a recording was found after the lesson; null: not checked yet. */
  recordingFound: z.boolean().nullable(),
});
export type Lesson = z.infer<typeof lesson>;

/** GET /api/lessons. `timeZone`: the school's; every lesson time is shown in it. */
export const lessonsResponse = z.object({ upcoming: z.array(lesson), past: z.array(lesson), timeZone: z.string() });
export type LessonsResponse = z.infer<typeof lessonsResponse>;

/** `warning`: something the teacher relies on will not happen (the app is not in the meeting chat). */
export const startLessonResponse = z.object({ lesson, created: z.boolean(), postedToClass: z.boolean(), warning: z.string().optional() });
export type StartLessonResponse = z.infer<typeof startLessonResponse>;
