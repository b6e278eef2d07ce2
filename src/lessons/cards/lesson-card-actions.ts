import { z } from 'zod';
import { cardActions } from '../../cards/card-actions';

/**
 * What the lesson form's Action.Execute carries (lesson-cards.ts). Checked before use: a card
 * edited or replayed by hand gets a clear error, never a String() of an object.
 */
const lessonForm = z.object({
  submissionId: z.string().max(100),
  classId: z.string().min(1).max(200),
  title: z.string().max(200).optional(),
  when: z.enum(['now', 'later', '']).optional(),
  date: z.string().max(20).optional(),
  time: z.string().max(20).optional(),
  durationMinutes: z.union([z.string().max(10), z.number()]).optional(),
});
export type LessonForm = z.output<typeof lessonForm>;

export const lessonCardActions = cardActions('lesson', {
  'lesson.start': lessonForm,
});
export type LessonCardVerb = (typeof lessonCardActions.verbs)[number];

/**
 * The form's fields to the lesson the domain validates: "now", or the date and time given, which
 * are the school's local time (the domain reads them in config `school.timeZone`).
 */
export function lessonFromForm(data: LessonForm) {
  const later = data.when === 'later' && data.date && data.time;
  return {
    submissionId: data.submissionId,
    classId: data.classId,
    title: data.title,
    start: later ? `${data.date}T${String(data.time).slice(0, 5)}` : 'now',
    ...(data.durationMinutes !== undefined && data.durationMinutes !== '' ? { durationMinutes: data.durationMinutes } : {}),
  };
}
