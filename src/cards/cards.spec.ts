import { cardProblems } from '../../test/support/adaptive-card-check';
import { helpCard } from './help-card';
import { welcomeCard } from './welcome-card';

describe('bot cards', () => {
  it('the welcome card greets the person by name and is a valid Adaptive Card 1.5', () => {
    const card = welcomeCard({ name: 'Amy Clarke', school: 'Demo Academy' });
    expect(JSON.stringify(card)).toContain('Hello Amy Clarke');
    expect(card.version).toBe('1.5');
    expect(cardProblems(card)).toEqual([]);
  });

  it('the help card lists every command it is given', () => {
    const card = helpCard({
      school: 'Demo Academy',
      commands: [
        { command: 'help', description: 'this list' },
        { command: 'report', description: 'report a concern' },
      ],
    });
    const facts = (card.body[2] as { facts: Array<{ title: string }> }).facts;
    expect(facts.map((f) => f.title)).toEqual(['help', 'report']);
    expect(cardProblems(card)).toEqual([]);
  });

  it('the card checker itself notices an unknown element', () => {
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Nonsense' }] }).length).toBeGreaterThan(0);
  });
});
