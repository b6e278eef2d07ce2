import { createServer } from 'node:net';
import WebSocket from 'ws';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PlaygroundMessage {
  messageId: string;
  /** Which chat it appeared in (the personal chat, the group chat standing in for a meeting's). */
  conversationId?: string;
  from: { id: string };
  text?: string;
  attachments?: Array<{ contentType: string; content: Record<string, unknown> }>;
}

/**
 * Drives the Agents Playground's chat as a person would, without its web UI: post a message as a
 * mock user, read the bot's replies from the playground's WebSocket stream.
 */
export class PlaygroundChat {
  private ws?: WebSocket;
  readonly received: PlaygroundMessage[] = [];
  private waiters: Array<() => void> = [];

  constructor(
    private readonly baseUrl: string,
    private readonly conversationId = 'conv-personal',
  ) {}

  async connect(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(`${this.baseUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`);
          ws.once('open', () => {
            this.ws = ws;
            resolve();
          });
          ws.once('error', reject);
          ws.on('message', (data) => {
            const event = JSON.parse(data.toString()) as { action?: string; actionConversationId?: string; message?: PlaygroundMessage };
            if (event.action === 'createMessage' && event.message) {
              this.received.push({ ...event.message, conversationId: event.actionConversationId ?? '' });
              this.waiters.splice(0).forEach((w) => w());
            }
          });
        });
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async say(text: string, fromUserId = 'user-id-0'): Promise<void> {
    const res = await fetch(`${this.baseUrl}/_conversation/v1/conversations/${this.conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: { id: fromUserId }, text, textFormat: 'plain' }),
    });
    if (!res.ok) throw new Error(`the playground refused the message: ${res.status} ${await res.text()}`);
  }

  /** Clicks an Action.Execute button on a card the bot sent, as the given user; returns the bot's answer. */
  /**
   * A message extension invoke (composeExtension/fetchTask, /submitAction) as Teams sends it when a
   * person picks "Report a concern" on a message, from `fromUserId` in `conversationId`.
   */
  async invokeMessageExtension(
    name: 'composeExtension/fetchTask' | 'composeExtension/submitAction',
    value: Record<string, unknown>,
    fromUserId: string,
    conversationId = 'conv-group',
  ): Promise<{ task?: { type: string; value: any } }> {
    const res = await fetch(`${this.baseUrl}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, conversation: { id: conversationId }, from: { id: fromUserId }, value }),
    });
    if (!res.ok) throw new Error(`the playground refused the invoke: ${res.status} ${await res.text()}`);
    return (await res.json()) as { task?: { type: string; value: any } };
  }

  /**
   * An activity the playground cannot make itself (it has no meetings): Teams' meeting start and end
   * events, sent to the bot through the playground, whose replies then show in that chat.
   */
  async sendCustomActivity(activity: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.baseUrl}/_internal/v1/customActivities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channelId: 'msteams',
        serviceUrl: `${this.baseUrl}/_connector`,
        timestamp: new Date().toISOString(),
        id: `custom-${Date.now()}`,
        ...activity,
      }),
    });
    if (!res.ok) throw new Error(`the playground refused the activity: ${res.status}`);
  }

  async execute(messageId: string, verb: string, data: Record<string, unknown>, fromUserId = 'user-id-0'): Promise<{ type: string; value: unknown }> {
    const res = await fetch(`${this.baseUrl}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'adaptiveCard/action',
        conversation: { id: this.conversationId },
        from: { id: fromUserId },
        replyToId: messageId,
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      }),
    });
    if (!res.ok) throw new Error(`the playground refused the action: ${res.status} ${await res.text()}`);
    return (await res.json()) as { type: string; value: unknown };
  }

  /** Waits for the next bot message that satisfies the predicate. */
  async nextFromBot(predicate: (m: PlaygroundMessage) => boolean, timeoutMs = 15_000, conversationId = this.conversationId): Promise<PlaygroundMessage> {
    const start = this.received.length;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(start).find((m) => m.conversationId === conversationId && !m.from.id.startsWith('user-id') && predicate(m));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching bot message; got ${JSON.stringify(this.received.slice(start)).slice(0, 500)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 500);
      });
    }
  }

  close(): void {
    this.ws?.close();
  }
}
