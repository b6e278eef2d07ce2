import { renderCard, type AdaptiveCardJson } from '../../cards/render-card';

export interface AupCardView {
  versionId: string;
  title: string;
  version: number;
  clauses: string[];
  textUrl: string;
  /** Set once the person has accepted this version. */
  acceptedOn?: string;
  /** "reminder" wording when the first card went unanswered. */
  reminder?: boolean;
  deadline?: string;
}

const template = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    {
      type: 'TextBlock',
      $when: '${reminder && !accepted}',
      text: 'Reminder: please read and accept by ${deadline}',
      color: 'Attention',
      weight: 'Bolder',
      wrap: true,
    },
    { type: 'TextBlock', text: '${title}', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: 'Version ${version}', isSubtle: true, spacing: 'None', wrap: true },
    { type: 'TextBlock', $when: '${accepted}', text: '✅ Accepted version ${version} on ${acceptedOn}', color: 'Good', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', $when: '${!accepted}', text: 'The key points:', wrap: true },
    { type: 'TextBlock', $when: '${!accepted}', $data: '${shownClauses}', text: '${n}. ${text}', wrap: true, spacing: 'Small' },
    { type: 'TextBlock', $when: '${!accepted && more > 0}', text: '…and ${more} more in the full text.', isSubtle: true, wrap: true },
    { type: 'Input.Text', $when: '${!accepted}', id: 'question', label: 'A question for the policy owner (optional)', isMultiline: true, maxLength: 2000 },
  ],
  actions: [
    { type: 'Action.OpenUrl', title: 'Read the full text', url: '${textUrl}' },
    { type: 'Action.Execute', $when: '${!accepted}', title: 'I accept', verb: 'aup.accept', style: 'positive', data: { versionId: '${versionId}' } },
    { type: 'Action.Execute', $when: '${!accepted}', title: 'I have a question', verb: 'aup.question', data: { versionId: '${versionId}' } },
  ],
};

/** The AUP as a person receives it in Teams chat: the key clauses, the full text, one click. */
export function aupCard(view: AupCardView): AdaptiveCardJson {
  // A card must stay well under Teams' 100 KB: the first eight clauses, the rest in the full text.
  const shownClauses = view.clauses.slice(0, 8).map((text, i) => ({ n: i + 1, text }));
  return renderCard(template, {
    ...view,
    accepted: !!view.acceptedOn,
    shownClauses,
    more: Math.max(0, view.clauses.length - 8),
    reminder: !!view.reminder,
    deadline: view.deadline ?? '',
  });
}

const overdueTemplate = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Not yet accepted: ${title} (version ${version})', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: '${personName} has not accepted it; the deadline was ${deadline}. Please remind them.', wrap: true },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'See who has signed', url: '${coverageUrl}' }],
};

/** To a line manager (or the admins): who has not accepted by the deadline. */
export function overdueCard(view: { title: string; version: number; personName: string; deadline: string; coverageUrl: string }): AdaptiveCardJson {
  return renderCard(overdueTemplate, view);
}

const questionTemplate = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'A question about ${title} (version ${version})', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: 'From ${from}', isSubtle: true, spacing: 'None', wrap: true },
    { type: 'TextBlock', text: '${question}', wrap: true },
  ],
};

/** "I have a question", as the policy's owner receives it. */
export function policyQuestionCard(view: { title: string; version: number; from: string; question: string }): AdaptiveCardJson {
  return renderCard(questionTemplate, view);
}
