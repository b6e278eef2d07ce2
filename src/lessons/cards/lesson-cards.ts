import { renderCard, type AdaptiveCardJson } from '../../cards/render-card';
import type { StartedLesson } from '../lesson-service';

const schema = 'http://adaptivecards.io/schemas/adaptive-card.json';

const startTemplate = {
  type: 'AdaptiveCard',
  $schema: schema,
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Start a lesson', weight: 'Bolder', size: 'Medium', wrap: true },
    {
      type: 'TextBlock',
      text: 'The meeting is recorded automatically, announced as recorded, and open only to people in the school.',
      wrap: true,
      isSubtle: true,
    },
    {
      type: 'Input.ChoiceSet',
      id: 'classId',
      label: 'Class',
      isRequired: true,
      errorMessage: 'Choose a class',
      choices: [{ $data: '${classes}', title: '${displayName}', value: '${id}' }],
    },
    { type: 'Input.Text', id: 'title', label: 'Title', isRequired: true, maxLength: 200, errorMessage: 'Give the lesson a title' },
    {
      type: 'Input.ChoiceSet',
      id: 'when',
      label: 'When',
      value: 'now',
      choices: [
        { title: 'Now', value: 'now' },
        { title: 'Later', value: 'later' },
      ],
    },
    { type: 'Input.Date', id: 'date', label: 'Date (if later)' },
    { type: 'Input.Time', id: 'time', label: 'Time (if later), the school’s time' },
    { type: 'Input.Number', id: 'durationMinutes', label: 'Minutes', value: 60, min: 10, max: 240 },
  ],
  actions: [{ type: 'Action.Execute', title: 'Start the lesson', verb: 'lesson.start', data: { submissionId: '${submissionId}' } }],
};

/** The teacher's form (bot command `lesson`): the classes they teach, a title, now or later. */
export function lessonFormCard(submissionId: string, classes: Array<{ id: string; displayName: string }>): AdaptiveCardJson {
  return renderCard(startTemplate, { submissionId, classes });
}

const createdTemplate = {
  type: 'AdaptiveCard',
  $schema: schema,
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Lesson ready: ${title}', weight: 'Bolder', size: 'Medium', wrap: true },
    {
      type: 'FactSet',
      facts: [
        { title: 'Class', value: '${className}' },
        { title: 'Starts', value: '${starts}' },
        { title: 'Recorded', value: '${recorded}' },
        { title: 'Who can join', value: 'people in the school; others wait in the lobby' },
      ],
    },
    {
      type: 'TextBlock',
      $when: '${!postedToClass}',
      text: 'The join link could not be posted to the class team: add E-Safety to the team, or share the link yourself.',
      wrap: true,
      color: 'Warning',
    },
    { type: 'TextBlock', $when: '${hasWarning}', text: '${warning}', wrap: true, color: 'Warning', weight: 'Bolder' },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'Join the lesson', url: '${joinUrl}' }],
};

/** `warning`: what will not happen (the app could not join the meeting chat), said at once. */
export function lessonCreatedCard(view: {
  title: string;
  className: string;
  starts: string;
  joinUrl: string;
  postedToClass: boolean;
  warning?: string;
}): AdaptiveCardJson {
  const recorded = view.warning ? 'automatically; not announced by the app' : 'automatically, and announced';
  return renderCard(createdTemplate, { ...view, recorded, hasWarning: !!view.warning, warning: view.warning ?? '' });
}

/** The teacher's answer once a lesson is started: `starts` in the school's time (`LessonService.when`). */
export function lessonReadyCard(started: StartedLesson, starts: string): AdaptiveCardJson {
  const { lesson, postedToClass, warning } = started;
  return lessonCreatedCard({
    title: lesson.title,
    className: lesson.class_name,
    starts,
    joinUrl: lesson.join_url,
    postedToClass,
    ...(warning ? { warning } : {}),
  });
}

const joinTemplate = {
  type: 'AdaptiveCard',
  $schema: schema,
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Remote lesson: ${title}', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: '${starts} with ${teacher}. This lesson is recorded.', wrap: true },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'Join', url: '${joinUrl}' }],
};

/** Posted in the class team: where to join, and that the lesson is recorded. */
export function lessonJoinCard(view: { title: string; starts: string; teacher: string; joinUrl: string }): AdaptiveCardJson {
  return renderCard(joinTemplate, view);
}

const announcementTemplate = {
  type: 'AdaptiveCard',
  $schema: schema,
  version: '1.5',
  body: [
    { type: 'TextBlock', text: '🔴 ${heading}', weight: 'Bolder', color: 'Attention', wrap: true },
    { type: 'TextBlock', text: '${text}', wrap: true },
  ],
};

/** The recording announcement in the meeting chat. */
export function recordingAnnouncementCard(view: { heading: string; text: string }): AdaptiveCardJson {
  return renderCard(announcementTemplate, view);
}

const noRecordingTemplate = {
  type: 'AdaptiveCard',
  $schema: schema,
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'No recording of a lesson', weight: 'Bolder', color: 'Attention', wrap: true },
    {
      type: 'TextBlock',
      text: '"${title}" (${className}, ${starts}) ended without a recording. All lessons must be recorded (remote working policy). Please tell the IT team if recording failed.',
      wrap: true,
    },
  ],
};

export function noRecordingCard(view: { title: string; className: string; starts: string }): AdaptiveCardJson {
  return renderCard(noRecordingTemplate, view);
}

const outsiderTemplate = {
  type: 'AdaptiveCard',
  $schema: schema,
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'A meeting with people outside the school', weight: 'Bolder', color: 'Warning', wrap: true },
    {
      type: 'TextBlock',
      text: 'You organised "${subject}" (${starts}) in Teams with ${outsiders}. The school\'s remote working policy says Teams is for use within the school: you may join a meeting a third party has set up, but not organise one with them.',
      wrap: true,
    },
    { type: 'TextBlock', text: 'Please ask them to send the invitation from their own organisation, or remove them from this meeting.', wrap: true },
  ],
};

export function outsiderMeetingCard(view: { subject: string; starts: string; outsiders: string }): AdaptiveCardJson {
  return renderCard(outsiderTemplate, view);
}
