import { CATEGORIES } from '../incident-report';
import { renderCard, type AdaptiveCardJson } from '../../cards/render-card';

const template = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Report an e-safety concern', weight: 'Bolder', size: 'Medium', wrap: true },
    {
      type: 'TextBlock',
      text: 'It goes to the Designated Safeguarding Lead today. If a child is in immediate danger, call 999 first.',
      wrap: true,
      isSubtle: true,
    },
    {
      type: 'Input.ChoiceSet',
      id: 'kind',
      label: 'What kind of concern?',
      isRequired: true,
      errorMessage: 'Choose one',
      choices: [{ $data: '${choices}', title: '${title}', value: '${value}' }],
    },
    {
      type: 'Input.Text',
      id: 'whatHappened',
      label: 'What happened?',
      isMultiline: true,
      isRequired: true,
      maxLength: 8000,
      errorMessage: 'Say what happened',
    },
    { type: 'Input.Text', id: 'involved', label: 'Who is involved? (names, separated by commas)', maxLength: 1000 },
    {
      type: 'Input.ChoiceSet',
      id: 'about',
      label: 'Is the concern about an adult in school?',
      value: 'no',
      choices: [
        { title: 'No', value: 'no' },
        { title: 'Yes, a member of staff', value: 'staff' },
        { title: 'Yes, the headteacher', value: 'headteacher' },
      ],
    },
    { type: 'Input.Text', id: 'where', label: 'Where? (chat, team, website, in school…)', maxLength: 500 },
    { type: 'Input.Toggle', id: 'illegal', title: 'Illegal material, or someone at immediate risk', valueOn: 'true', valueOff: 'false', value: 'false' },
  ],
  actions: [{ type: 'Action.Execute', title: 'Send to the DSL', verb: 'incident.submit', data: { submissionId: '${submissionId}' } }],
};

const label = (s: string) => s.replace(/-/g, ' ').replace('sgii', '(SGII)');

export function reportCard(
  submissionId: string,
  options: { prefill?: { whatHappened?: string; where?: string }; inTaskModule?: boolean } = {},
): AdaptiveCardJson {
  const choices = Object.entries(CATEGORIES).flatMap(([category, subs]) =>
    subs.map((sub) => ({ title: `${category}: ${label(sub)}`, value: `${category}/${sub}` })),
  );
  const card = renderCard(template, { submissionId, choices });
  for (const input of card.body as Array<{ id?: string; value?: string }>) {
    if (input.id === 'whatHappened' && options.prefill?.whatHappened) input.value = options.prefill.whatHappened;
    if (input.id === 'where' && options.prefill?.where) input.value = options.prefill.where;
  }
  // A task module (the message action's dialog) takes Action.Submit, not Action.Execute.
  if (options.inTaskModule) card.actions = [{ type: 'Action.Submit', title: 'Send to the DSL', data: { submissionId } }];
  return card;
}

/** What the reporter sees once the concern is recorded: nothing about who it went to. */
const thanksTemplate = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Thank you. Your concern has been passed to the safeguarding team.', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: 'Please do not discuss it with the people involved. If a child is in immediate danger, call 999.', wrap: true },
  ],
};

export function reportThanksCard(): AdaptiveCardJson {
  return renderCard(thanksTemplate, {});
}
