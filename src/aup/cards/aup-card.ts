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

const overdueDigestTemplate = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Not yet accepted: ${title} (version ${version})', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: '${who} not accepted it by the deadline, ${deadline}. Please remind them.', wrap: true },
    { type: 'TextBlock', $when: "${why != ''}", text: '${why}', isSubtle: true, wrap: true },
    { type: 'TextBlock', $when: '${pages > 1}', text: 'List ${page} of ${pages}', isSubtle: true, spacing: 'None', wrap: true },
    { type: 'TextBlock', id: 'people', text: '${list}', wrap: true },
    { type: 'TextBlock', $when: '${more > 0}', text: '…and ${more} more, listed on the policy page.', isSubtle: true, wrap: true },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'See who has signed', url: '${coverageUrl}' }],
};

/** Someone overdue, as a digest names them. */
export interface OverduePerson {
  displayName: string;
  userPrincipalName: string;
}

export interface OverdueDigestView {
  title: string;
  version: number;
  deadline: string;
  coverageUrl: string;
  people: OverduePerson[];
  /** Why this recipient hears about them, when it is not as their line manager (e.g. an admin standing in). */
  why?: string;
}

/** One card of a digest and the people it names (the last card also stands for those only counted). */
export interface OverdueDigestPage<P extends OverduePerson> {
  card: AdaptiveCardJson;
  named: P[];
}

/**
 * How big a digest card may grow, in characters of its JSON. Teams refuses a bot message over
 * 100 KB counted as UTF-16, and advises staying within 80 KB (MicrosoftDocs/msteams-docs,
 * msteams-platform/bots/how-to/format-your-bot-messages.md); earlier versions of that page said
 * 40 KB, and an incoming webhook's message may be 28 KB (webhooks-and-connectors/how-to/
 * add-incoming-webhook.md). 18,000 characters are 36 KB as UTF-16 (18 KB as UTF-8): within the
 * smallest of them with the activity around the card.
 */
export const DIGEST_CARD_MAX_CHARS = 18_000;
/**
 * Cards one recipient gets for one policy in one round. A longer list helps nobody in a chat: the
 * last card counts the rest, who are on the policy page (with "overdue" as their status).
 */
export const DIGEST_MAX_CARDS = 5;

/**
 * What tells a person from others of the same name in the list: nothing when the name is theirs
 * alone; the first part of their sign-in name when that differs among them (the school's domain
 * is the same for most); else the whole sign-in name.
 */
function toldApart(person: OverduePerson, namesakes: OverduePerson[]): string {
  if (namesakes.length === 1) return '';
  const local = (p: OverduePerson) => p.userPrincipalName.split('@')[0]!;
  const locals = new Set(namesakes.map(local));
  return ` (${locals.size === namesakes.length ? local(person) : person.userPrincipalName})`;
}

/**
 * To a line manager or an admin: everyone overdue for one policy, in as few cards as fit Teams'
 * message size, so a round sends one recipient a handful of cards however many people are late
 * (Teams allows a bot 1,800 messages an hour in one chat: bots/how-to/rate-limit.md). Each person
 * is named, with enough of their sign-in name to tell apart two who share a name.
 */
export function overdueDigestCards(view: OverdueDigestView, limits = { maxChars: DIGEST_CARD_MAX_CHARS, maxCards: DIGEST_MAX_CARDS }): AdaptiveCardJson[] {
  return overdueDigestPages(view, limits).map((p) => p.card);
}

/**
 * The digest's cards, each with the people it names: a card that fails to go is retried for those
 * people only, so no one is named twice to the same recipient.
 */
export function overdueDigestPages<P extends OverduePerson>(
  view: OverdueDigestView & { people: P[] },
  limits = { maxChars: DIGEST_CARD_MAX_CHARS, maxCards: DIGEST_MAX_CARDS },
): Array<OverdueDigestPage<P>> {
  const people = [...view.people].sort((a, b) => a.displayName.localeCompare(b.displayName) || a.userPrincipalName.localeCompare(b.userPrincipalName));
  const byName = new Map<string, P[]>();
  for (const p of people) {
    const namesakes = byName.get(p.displayName);
    if (namesakes) namesakes.push(p);
    else byName.set(p.displayName, [p]);
  }
  // Teams' card Markdown: an unordered list is "- item" lines separated by \r (msteams-docs,
  // task-modules-and-cards/cards/cards-format.md).
  const lines = people.map((p) => `- ${p.displayName}${toldApart(p, byName.get(p.displayName)!)}`);
  const total = people.length;
  const render = (list: string[], page: number, pages: number, more: number) =>
    renderCard(overdueDigestTemplate, {
      why: view.why ?? '',
      title: view.title,
      version: view.version,
      deadline: view.deadline,
      coverageUrl: view.coverageUrl,
      who: total === 1 ? `${people[0]!.displayName} has` : `${total.toLocaleString('en-GB')} people have`,
      list: list.join('\r'),
      page,
      pages,
      more,
    });
  // What the card takes without its list, at its widest (page numbers and the count of the rest).
  const frame = JSON.stringify(render([], limits.maxCards, limits.maxCards, total)).length;
  const room = limits.maxChars - frame;
  const pages: P[][] = [];
  let page: P[] = [];
  let used = 0;
  lines.forEach((line, i) => {
    // As the card's JSON will hold it: escaped, after a "\r" (two characters) unless it comes first.
    const size = JSON.stringify(line).length - 2;
    if (page.length && used + 2 + size > room) {
      pages.push(page);
      page = [];
      used = 0;
    }
    used += (page.length ? 2 : 0) + size;
    page.push(people[i]!);
  });
  if (page.length) pages.push(page);
  const shown = pages.slice(0, limits.maxCards);
  const named = shown.reduce((n, p) => n + p.length, 0);
  const lineOf = new Map(people.map((p, i) => [p, lines[i]!]));
  return shown.map((list, i) => ({
    card: render(
      list.map((p) => lineOf.get(p)!),
      i + 1,
      shown.length,
      i === shown.length - 1 ? total - named : 0,
    ),
    named: list,
  }));
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
