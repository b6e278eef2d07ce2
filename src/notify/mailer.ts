import { isGraphError, type GraphAccess } from '../graph/graph-access';
import type { Graph } from '../graph/graph-types';
import type { MailCheck } from '../graph/permissions';

export interface MailMessage {
  to: Array<{ name: string; email: string }>;
  subject: string;
  /** Plain text: no HTML to escape, nothing for a mail client to render oddly. */
  text: string;
}

/**
 * Email to people with no Teams chat with the bot (the LADO, parents). The domain asks; the
 * Graph mailer (or a test's recorder) sends.
 */
export interface Mailer {
  /** The school mailbox the mail comes from, for the record. */
  readonly from: string;
  send(message: MailMessage): Promise<void>;
}

/**
 * Exchange refused to send from the school mailbox (403 ErrorAccessDenied): the app has no
 * "Application Mail.Send" role scoped to it (docs/permissions.md, "Mail"). The message is not lost:
 * callers keep it queued.
 */
export class MailNotPermitted extends Error {
  constructor(
    readonly mailbox: string,
    readonly code: string,
  ) {
    super(
      `Exchange Online refused to send from ${mailbox} (403 ${code}): assign the app "Application Mail.Send" scoped to that mailbox (docs/permissions.md, "Mail"). The email stays queued.`,
    );
  }
}

/**
 * Sends from the school's configured mailbox with Graph `POST /users/{mailbox}/sendMail`
 * (user-sendmail.md). The right to send is granted in Exchange Online (RBAC for Applications,
 * "Application Mail.Send" on a scope holding only that mailbox), so it is not in the token: each
 * send is the check, kept in `check` for the permissions report. Nothing is kept in Sent Items:
 * the incident log is the record.
 */
export class GraphMailer implements Mailer {
  readonly check: MailCheck;

  constructor(
    private readonly graph: GraphAccess,
    readonly from: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.check = { status: 'not-yet-sent', mailbox: from };
  }

  async send(message: MailMessage): Promise<void> {
    try {
      await this.graph.post(`/users/${encodeURIComponent(this.from)}/sendMail`, {
        message: {
          subject: message.subject,
          body: { contentType: 'text', content: message.text },
          toRecipients: message.to.map((r) => ({ emailAddress: { name: r.name, address: r.email } })),
        },
        saveToSentItems: false,
      } satisfies { message: Graph.Message; saveToSentItems: boolean });
    } catch (e) {
      if (isGraphError(e, 403)) {
        const code = (e as { code?: string }).code || 'ErrorAccessDenied';
        Object.assign(this.check, { status: 'refused', at: this.now().toISOString(), detail: `403 ${code}` });
        throw new MailNotPermitted(this.from, code);
      }
      throw e;
    }
    Object.assign(this.check, { status: 'sent', at: this.now().toISOString() });
    delete this.check.detail;
  }
}

/** For tests: keeps what would have been sent. */
export class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  constructor(readonly from = 'esafety@school.test') {}
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
}
