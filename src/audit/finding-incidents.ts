import { createHash } from 'node:crypto';
import { NotFound } from '../errors/domain-errors';
import type { Person } from '../school/school-directory';
import type { AuditStore } from './audit-store';
import { findingKey, type Finding } from './findings';

/**
 * What raising a finding needs from incidents, said here so the audit does not import another
 * feature (decisions §1): bin/ wires the incident service in.
 */
export interface IncidentReporter {
  report(
    report: {
      submissionId: string;
      category: 'conduct';
      subCategory: 'data-breach' | 'not-sure';
      whatHappened: string;
      when: string;
      where: string;
      channel: 'audit-finding';
    },
    reporter: Person,
  ): Promise<{ incidentId: string; created: boolean }>;
}

export class NoSuchFinding extends NotFound {
  constructor() {
    super('That finding is not in the latest audit run.', 'no-such-finding');
  }
}

/** The same finding of the same run always gives the same submission id: raising it twice is one incident. */
export function submissionIdFor(runId: string, key: string): string {
  const h = createHash('sha256').update(`${runId}|${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Mail forwarded out of the school and files shared outside it are data risks (policy 002's
 * data breach); any other finding with a safeguarding angle (a guest in a class team) is for the
 * DSL to judge.
 */
export const subCategoryFor = (finding: Pick<Finding, 'rule'>): 'data-breach' | 'not-sure' =>
  /^(mail|sharing)\./.test(finding.rule) ? 'data-breach' : 'not-sure';

/** A finding with a safeguarding angle becomes an incident for the DSL, raised by the IT admin. */
export class FindingIncidents {
  private readonly tenantId: string;
  private readonly store: Pick<AuditStore, 'lastRun' | 'findings'>;
  private readonly incidents: IncidentReporter | undefined;

  constructor(deps: { tenantId: string; store: Pick<AuditStore, 'lastRun' | 'findings'>; incidents?: IncidentReporter }) {
    this.tenantId = deps.tenantId;
    this.store = deps.store;
    this.incidents = deps.incidents;
  }

  async raise(request: { findingKey: string; note: string }, admin: Person): Promise<{ incidentId: string; created: boolean }> {
    const latest = await this.store.lastRun(this.tenantId);
    const finding = latest && (await this.store.findings(latest.id)).find((f) => findingKey(f) === request.findingKey);
    if (!latest || !finding || !this.incidents) throw new NoSuchFinding();
    return this.incidents.report(
      {
        submissionId: submissionIdFor(latest.id, request.findingKey),
        category: 'conduct',
        subCategory: subCategoryFor(finding),
        whatHappened: `Tenant audit finding ${finding.rule} on ${finding.subject.name}: ${finding.detail}${request.note ? `\nAdmin's note: ${request.note}` : ''}`,
        when: latest.finishedAt,
        where: 'Microsoft 365 tenant audit',
        channel: 'audit-finding',
      },
      admin,
    );
  }
}
