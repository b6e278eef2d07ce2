import { renderCard, type AdaptiveCardJson } from './render-card';

const template = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'E-Safety for Teams', weight: 'Bolder', size: 'Large', wrap: true },
    { type: 'TextBlock', text: 'Hello ${name}. I help ${school} keep its e-safety policy in Teams.', wrap: true },
    {
      type: 'TextBlock',
      wrap: true,
      text: 'I will bring you the school’s acceptable use policy to accept, take your reports of e-safety concerns to the safeguarding team the same day, and keep remote lessons recorded and inside the school.',
    },
    { type: 'TextBlock', text: 'Type **help** at any time to see what I can do.', wrap: true, spacing: 'Medium' },
  ],
  actions: [{ type: 'Action.Submit', title: 'Show commands', data: { msteams: { type: 'imBack', value: 'help' } } }],
};

export function welcomeCard(data: { name: string; school: string }): AdaptiveCardJson {
  return renderCard(template, data);
}
