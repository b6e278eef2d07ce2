import type { GraphAccess } from '../graph/graph-access';
import type { Graph } from '../graph/graph-types';

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
 * Sends from the school's configured mailbox with Graph `POST /users/{mailbox}/sendMail`
 * (application permission Mail.Send, which an Exchange application access policy should scope to
 * that one mailbox). Nothing is kept in Sent Items: the incident log is the record.
 */
export class GraphMailer implements Mailer {
  constructor(
    private readonly graph: GraphAccess,
    readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    await this.graph.post(`/users/${encodeURIComponent(this.from)}/sendMail`, {
      message: {
        subject: message.subject,
        body: { contentType: 'text', content: message.text },
        toRecipients: message.to.map((r) => ({ emailAddress: { name: r.name, address: r.email } })),
      },
      saveToSentItems: false,
    } satisfies { message: Graph.Message; saveToSentItems: boolean });
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
