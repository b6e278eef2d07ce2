import { randomUUID } from 'node:crypto';
import { CardFactory, type TurnContext } from 'botbuilder';
import { lessonFromForm, type lessonCardActions } from '../src/lessons/cards/lesson-card-actions';
import { lessonFormCard, lessonReadyCard, recordingAnnouncementCard } from '../src/lessons/cards/lesson-cards';
import type { LessonService } from '../src/lessons/lesson-service';
import { personOf, type BotCommand, type CardActionHandlers } from './card-action-router';

/** `lesson`: the teacher's form with the classes they teach. */
export function lessonCommand(lessons: LessonService): BotCommand {
  return {
    command: 'lesson',
    description: 'Start a recorded remote lesson for one of your classes',
    async run(turn) {
      const classes = await lessons.classesOf(personOf(turn));
      if (classes.length === 0) return turn.send('You have no classes in the school’s data (Education API), so there is nothing to start a lesson for.');
      await turn.send(lessonFormCard(randomUUID(), classes));
    },
  };
}

/** The lesson form's "Start the lesson". */
export function lessonCardHandlers(lessons: LessonService): CardActionHandlers<(typeof lessonCardActions)['contract']> {
  return {
    'lesson.start': async (form, { person }) => {
      const started = await lessons.start(lessonFromForm(form), person);
      return { card: lessonReadyCard(started, lessons.when(started.lesson.starts_at)) };
    },
  };
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
