import { renderCard, type AdaptiveCardJson } from './render-card';

export interface CommandHelp {
  command: string;
  description: string;
}

const template = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'What I can do', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: 'Type one of these in this chat:', wrap: true, isSubtle: true },
    { type: 'FactSet', facts: [{ $data: '${commands}', title: '${command}', value: '${description}' }] },
    {
      type: 'TextBlock',
      text: 'The ${school} e-safety tab shows your policies and, for your role, lessons, incidents and the tenant audit.',
      wrap: true,
      isSubtle: true,
      spacing: 'Medium',
    },
  ],
};

export function helpCard(data: { school: string; commands: CommandHelp[] }): AdaptiveCardJson {
  return renderCard(template, data);
}
