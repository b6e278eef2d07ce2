import type { PolicyRef } from './findings';

/** The clauses the audit cites, quoted from the school policies in ../shared/policies. */
export const POLICY = {
  teamsWithinSchool: {
    file: '000_378856427d849ae2.txt',
    heading: '5. Remote Working',
    quote:
      "The school's Microsoft Teams subscription is restricted to use within JCoSS (staff and students). Staff may join Teams meetings with third parties but only if the meeting is set up by the third party.",
  },
  lessonsRecorded: {
    file: '000_378856427d849ae2.txt',
    heading: '5. Remote Working',
    quote:
      'All lessons must be recorded; other meetings (e.g. staff or team briefings) may be recorded if desired, but this must be announced on each occasion',
  },
  noPersonalDataByEmail: {
    file: '002_7df8d1fe4e16bc08.txt',
    heading: 'E-mail',
    quote: "Never use email to transfer staff or student personal data. 'Protect-level' data should never be transferred by email.",
  },
  secureEmailOnly: {
    file: '000_378856427d849ae2.txt',
    heading: '4. Emailing and Social Media',
    quote: 'uses only secure email systems for transfers of sensitive information, or password-protected/encrypted documents',
  },
  personalDataSentSecurely: {
    file: '001_63320dda7340279a.txt',
    heading: 'Ensuring the network is used safely',
    quote: 'Ensures that all pupil level data or personal data sent over the Internet is encrypted or only sent within the approved secure system',
  },
  guestAccountsTemporary: {
    file: '002_7df8d1fe4e16bc08.txt',
    heading: '4. Managing IT and Communication Systems',
    quote: 'Uses guest accounts occasionally for external or short term visitors for temporary access to appropriate services;',
  },
} satisfies Record<string, PolicyRef>;

/** The name a control uses to cite one of the clauses above. */
export type ClauseKey = keyof typeof POLICY;
