/**
 * Parses a card with the Adaptive Cards SDK (the Node build: the package's main entry is
 * extensionless ESM that Node cannot load) and returns every validation message.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

export function cardProblems(card: object): string[] {
  const problems: string[] = [];
  const context = new AC.SerializationContext();
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  const validation = parsed.validateProperties();
  for (const e of validation.validationEvents as Array<{ message: string }>) problems.push(e.message);
  return problems;
}
