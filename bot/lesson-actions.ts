import { randomUUID } from 'node:crypto';
import { CardFactory, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TurnContext } from 'botbuilder';
import { lessonCreatedCard, lessonFormCard, recordingAnnouncementCard } from '../src/lessons/cards/lesson-cards';
import { InvalidLesson, LessonRefused, LessonsNotPermitted, NotATeacher, type LessonService } from '../src/lessons/lesson-service';
import type { SchoolDirectory } from '../src/school/school-directory';
import { z } from 'zod';
import { cardError, describeProblem } from './activity-checks';
import type { BotCommand } from './esafety-bot';

const CARD = 'application/vnd.microsoft.card.adaptive';
const say = (message: string): AdaptiveCardInvokeResponse => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message as never });

async function personOf(context: TurnContext, directory: SchoolDirectory) {
  const id = context.activity.from.aadObjectId;
  return id ? directory.person(id) : undefined;
}

/** `lesson`: the teacher's form with the classes they teach. */
export function lessonCommand(lessons: LessonService, directory: SchoolDirectory): BotCommand {
  return {
    command: 'lesson',
    description: 'Start a recorded remote lesson for one of your classes',
    async run(context) {
      const teacher = await personOf(context, directory);
      if (!teacher) return void (await context.sendActivity('Sorry: you are not in this school’s directory.'));
      try {
        const classes = await lessons.classesOf(teacher);
        if (classes.length === 0) return void (await context.sendActivity('You have no classes in the school’s data (Education API), so there is nothing to start a lesson for.'));
        await context.sendActivity({ attachments: [CardFactory.adaptiveCard(lessonFormCard(randomUUID(), classes))] });
      } catch (e) {
        if (e instanceof NotATeacher) return void (await context.sendActivity('Lessons are started by teachers.'));
        throw e;
      }
    },
  };
}

/**
 * What the lesson form's Action.Execute may carry (src/cards/lesson-cards.ts). Checked before use:
 * a card edited or replayed by hand gets a clear error, never a String() of an object.
 */
const lessonFormData = z.object({
  submissionId: z.string().max(100),
  classId: z.string().min(1).max(200),
  title: z.string().max(200).optional(),
  when: z.enum(['now', 'later', '']).optional(),
  date: z.string().max(20).optional(),
  time: z.string().max(20).optional(),
  durationMinutes: z.union([z.string().max(10), z.number()]).optional(),
});

/**
 * The form's fields to the lesson the domain validates: "now", or the date and time given, which
 * are the school's local time (the domain reads them in config `school.timeZone`).
 */
export function lessonFromForm(data: z.infer<typeof lessonFormData>) {
  const later = data.when === 'later' && data.date && data.time;
  return {
    submissionId: data.submissionId,
    classId: data.classId,
    title: data.title,
    start: later ? `${String(data.date)}T${String(data.time).slice(0, 5)}` : 'now',
    ...(data.durationMinutes !== undefined && data.durationMinutes !== '' ? { durationMinutes: data.durationMinutes } : {}),
  };
}

export async function lessonCardAction(context: TurnContext, value: AdaptiveCardInvokeValue, lessons: LessonService, directory: SchoolDirectory): Promise<AdaptiveCardInvokeResponse | undefined> {
  if (value.action.verb !== 'lesson.start') return undefined;
  const teacher = await personOf(context, directory);
  if (!teacher) return say('Sorry: you are not in this school’s directory.');
  const form = lessonFormData.safeParse(value.action.data ?? {});
  if (!form.success) return cardError(400, 'BadRequest', `Please check: ${describeProblem(form.error)}`);
  try {
    const { lesson, postedToClass, warning } = await lessons.start(lessonFromForm(form.data), teacher);
    const card = lessonCreatedCard({ title: lesson.title, className: lesson.class_name, starts: lessons.when(lesson.starts_at), joinUrl: lesson.join_url, postedToClass, ...(warning ? { warning } : {}) });
    return { statusCode: 200, type: CARD, value: card as never };
  } catch (e) {
    if (e instanceof InvalidLesson) return say(`Please check: ${e.message}`);
    if (e instanceof LessonRefused) return say(e.message);
    if (e instanceof NotATeacher) return say('Lessons are started by teachers.');
    if (e instanceof LessonsNotPermitted) return say(e.message);
    throw e;
  }
}

/** Meeting start and end events (resource-specific consent): the announcement goes in the meeting chat. */
export function meetingEvents(lessons: LessonService) {
  return {
    async started(context: TurnContext, meeting: { joinUrl?: string }) {
      const said = await lessons.meetingStarted({ chatId: context.activity.conversation.id, ...(meeting.joinUrl ? { joinUrl: meeting.joinUrl } : {}) });
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(recordingAnnouncementCard(said))], summary: said.heading });
    },
    async ended(context: TurnContext, meeting: { joinUrl?: string }) {
      await lessons.meetingEnded({ chatId: context.activity.conversation.id, ...(meeting.joinUrl ? { joinUrl: meeting.joinUrl } : {}) });
    },
  };
}
