import type { Activity, AdaptiveCardInvokeResponse } from 'botbuilder';
import { z } from 'zod';

/**
 * An Action.Execute error as Teams expects it: statusCode 4xx/5xx, type
 * application/vnd.microsoft.error, value { code, message } (MicrosoftDocs/msteams-docs,
 * msteams-platform/task-modules-and-cards/cards/Universal-actions-for-adaptive-cards/
 * Work-with-Universal-Actions-for-Adaptive-Cards.md, "Response format"; botbuilder answers its own
 * malformed adaptiveCard/action invokes the same way).
 */
export function cardError(statusCode: number, code: string, message: string): AdaptiveCardInvokeResponse {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } as never };
}

/** Zod's complaint as one line a person can act on: "incidentId: expected a string". */
export function describeProblem(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'the request is not valid';
  const where = first.path.length ? `${first.path.join('.')}: ` : '';
  return `${where}${first.message}`.slice(0, 200);
}

/** What Teams puts in the value of each invoke the bot answers; anything else is refused as 400. */
const objectValue = z.object({}).passthrough();
const INVOKE_VALUES: Record<string, z.ZodType> = {
  'adaptiveCard/action': z
    .object({ action: z.object({ type: z.string().optional(), verb: z.string().max(100), data: z.object({}).passthrough().optional() }).passthrough() })
    .passthrough(),
  'composeExtension/fetchTask': z.object({ commandId: z.string().max(100), messagePayload: z.object({}).passthrough().nullish() }).passthrough(),
  'composeExtension/submitAction': z.object({ commandId: z.string().max(100), data: z.object({}).passthrough().nullish() }).passthrough(),
  'task/fetch': objectValue,
  'task/submit': objectValue,
};

/**
 * Checks an invoke's envelope before any handler sees it. Returns the invoke response to send when
 * it is refused: botbuilder's own dispatch would throw on a null value (a 500) or answer an
 * invoke it does not know with 501.
 */
export function refuseInvoke(activity: Pick<Activity, 'name' | 'value'>): { status: number; body: unknown } | undefined {
  const name = activity.name ?? '';
  const schema = INVOKE_VALUES[name];
  if (!schema) return { status: 400, body: cardError(400, 'NotSupported', `This app does not answer "${name.slice(0, 60)}".`) };
  const parsed = schema.safeParse(activity.value);
  if (!parsed.success) return { status: 400, body: cardError(400, 'BadRequest', `Please check: ${describeProblem(parsed.error)}`) };
  return undefined;
}

/** The tenant an activity comes from; Teams sends it in both places. */
export function activityTenant(activity: Pick<Activity, 'channelData' | 'conversation'>): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const fromConversation = activity.conversation?.tenantId;
  if (typeof fromConversation === 'string' && typeof fromChannelData === 'string' && fromConversation !== fromChannelData) return undefined;
  return typeof fromConversation === 'string' ? fromConversation : typeof fromChannelData === 'string' ? fromChannelData : undefined;
}
