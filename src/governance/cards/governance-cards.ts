import { renderCard, type AdaptiveCardJson } from '../../cards/render-card';

const reviewDueTemplate = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Policy review due: ${title}', weight: 'Bolder', size: 'Medium', wrap: true },
    {
      type: 'TextBlock',
      text: 'The policy is reviewed annually and approved by governors. Its review is due by ${reviewBy}. Record the review in the tab when it is done; a changed policy is republished and people are asked to accept it again.',
      wrap: true,
    },
    {
      type: 'FactSet',
      facts: [
        { title: 'Current version', value: '${version}' },
        { title: 'Published', value: '${publishedOn}' },
      ],
    },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'Open the governors\u2019 report', url: '${link}' }],
};

/** To the policy's owner, once, ahead of its review date (policies 001 and 003: "reviewed annually"). */
export function policyReviewDueCard(data: {
  title: string;
  reviewBy: string;
  version: number | null;
  publishedOn: string | null;
  link: string;
}): AdaptiveCardJson {
  return renderCard(reviewDueTemplate, {
    ...data,
    version: data.version === null ? 'not published yet' : String(data.version),
    publishedOn: data.publishedOn ?? '-',
  });
}
