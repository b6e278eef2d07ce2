import type { SchoolConfig } from '../config/school-config';
import type { MailMessage } from '../notify/mailer';
import type { IncidentView } from './incident-view';
import type { Recipient } from './incident-routing';

type ContactRecipient = Extract<Recipient, { kind: 'contact' }>;

/**
 * The email to a contact outside Teams (the LADO; a chair of governors with no school account).
 * Email leaves the school's systems, so it carries no names and no account of what happened: it
 * says a concern has been routed to them, how urgent it is, its reference, and whom to call for the
 * details. The record itself stays in the incident log.
 */
export function incidentEmail(view: IncidentView, to: ContactRecipient, routedTo: Recipient[], config: SchoolConfig): MailMessage {
  const school = config.school.name;
  const ref = view.id.slice(0, 8).toUpperCase();
  const chair = config.safeguarding.chairOfGovernors;
  const lado = config.safeguarding.lado;
  const aboutHead = routedTo.some((r) => r.as === 'chair-of-governors');
  const lines = [
    `Dear ${to.name},`,
    '',
    to.as === 'lado'
      ? `${school} has recorded a safeguarding concern ${aboutHead ? 'about its headteacher' : 'about a member of staff'} that is referred to you as the Local Authority Designated Officer.`
      : `${school} has recorded a safeguarding concern about its headteacher. As chair of governors you receive it instead of the headteacher.`,
    '',
    `Reference: ESAFETY-${ref}`,
    `Category: ${view.category} / ${view.subCategory}`,
    `Recorded: ${view.when.slice(0, 16).replace('T', ' ')} (UTC)`,
    ...(view.urgent ? ['', 'URGENT: the report says there may be illegal material or immediate risk to a child.'] : []),
    '',
    "Details are not sent by email. They are kept in the school's incident log.",
    to.as === 'lado'
      ? aboutHead
        ? `The chair of governors, ${chair.name} (${chair.email}${chair.phone ? `, ${chair.phone}` : ''}), will contact you with them.`
        : `The Designated Safeguarding Lead will contact you with them.`
      : `Please contact the LADO, ${lado.name} (${lado.email}${lado.phone ? `, ${lado.phone}` : ''}), and do not discuss the matter with the headteacher.`,
    '',
    `Sent by E-Safety for Teams at ${school}. Do not reply to this mailbox.`,
  ];
  return {
    to: [{ name: to.name, email: to.email }],
    subject: `${view.urgent ? 'URGENT: ' : ''}Safeguarding referral from ${school} (ESAFETY-${ref})`,
    text: lines.join('\n'),
  };
}
