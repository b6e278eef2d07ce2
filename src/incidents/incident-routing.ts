import type { SchoolConfig } from '../config/school-config';
import type { IncidentReport } from './incident-report';

export type Recipient =
  | { kind: 'person'; ref: string; as: 'dsl' | 'deputy-dsl' | 'headteacher' }
  | { kind: 'contact'; email: string; name: string; as: 'chair-of-governors' | 'lado' };

export interface Routing {
  recipients: Recipient[];
  urgent: boolean;
  /** Steps the card shows when the matter is urgent (policy 001 "Incident Management"). */
  guidance: string[];
  /** Why the incident went where it went: kept for the log, never shown to the reporter. */
  reason: string;
}

const URGENT_GUIDANCE = [
  'Refer to the police at once (999 if anyone is in immediate danger); report child sexual abuse images to the IWF and online grooming to CEOP.',
  'Do not alert the suspect, and do not copy, forward or delete the material: leave devices as they are, so no evidence is lost (the Incident Management section of the E-Safety Policy).',
  'Record what you have seen and done, with times, in this incident.',
];

/**
 * Who hears about an incident (policy 002 "Handling Incidents"): the DSL and deputies first; a
 * concern about staff goes to the headteacher too; a concern about the headteacher goes to the
 * chair of governors and the LADO and never to the headteacher.
 */
export function routeIncident(report: IncidentReport, safeguarding: SchoolConfig['safeguarding'], headteacherId?: string): Routing {
  const isHead = (p: IncidentReport['involved'][number]) => p.role === 'headteacher' || (!!headteacherId && p.id === headteacherId);
  const aboutHead = report.involved.some(isHead);
  const aboutStaff = report.subCategory === 'staff-misuse' || report.involved.some((p) => p.role === 'staff');
  const urgent = report.illegalOrImmediateRisk || report.subCategory === 'grooming' || report.subCategory === 'sexting-sgii';
  const dslTeam: Recipient[] = [
    { kind: 'person', ref: safeguarding.dsl, as: 'dsl' },
    ...safeguarding.deputies.map((ref): Recipient => ({ kind: 'person', ref, as: 'deputy-dsl' })),
  ];

  let recipients: Recipient[];
  let reason: string;
  if (aboutHead) {
    recipients = [
      { kind: 'contact', email: safeguarding.chairOfGovernors.email, name: safeguarding.chairOfGovernors.name, as: 'chair-of-governors' },
      { kind: 'contact', email: safeguarding.lado.email, name: safeguarding.lado.name, as: 'lado' },
    ];
    reason = 'a concern about the headteacher goes to the chair of governors and the LADO';
  } else if (aboutStaff) {
    recipients = [{ kind: 'person', ref: safeguarding.headteacher, as: 'headteacher' }, ...dslTeam];
    reason = 'a concern about staff goes to the headteacher and the DSL';
  } else {
    recipients = dslTeam;
    reason = 'the DSL is the first point of contact for every incident';
  }
  // The headteacher never receives a concern about themselves, even if they are also the DSL.
  if (aboutHead) recipients = recipients.filter((r) => !(r.kind === 'person' && (r.ref === safeguarding.headteacher || r.ref === headteacherId)));
  return { recipients, urgent, guidance: urgent ? URGENT_GUIDANCE : [], reason };
}
