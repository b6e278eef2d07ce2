import { describeZodError } from '../config/load-school-config';
import type { SchoolConfig } from '../config/school-config';
import type { Person, SchoolDirectory } from '../school/school-directory';
import type { IncidentDelivery } from './incident-delivery';
import { InvalidReport } from './incident-errors';
import { confideSchema, incidentReportSchema } from './incident-report';
import { routeIncident } from './incident-routing';
import { recogniseInvolved } from './involved-people';
import type { IncidentStore } from './incident-store';

/** Taking a report: checked, routed and recorded, its cards queued in the same transaction and sent at once. */
export class IncidentIntake {
  private readonly store: IncidentStore;
  private readonly config: SchoolConfig;
  private readonly directory: SchoolDirectory;
  private readonly delivery: IncidentDelivery;
  private readonly now: () => Date;

  constructor(deps: { store: IncidentStore; config: SchoolConfig; directory: SchoolDirectory; delivery: IncidentDelivery; clock?: () => Date }) {
    this.store = deps.store;
    this.config = deps.config;
    this.directory = deps.directory;
    this.delivery = deps.delivery;
    this.now = deps.clock ?? (() => new Date());
  }

  /** Validates, routes and records a report; its cards are queued in the same transaction. */
  async report(input: unknown, reporter: Person): Promise<{ incidentId: string; created: boolean }> {
    const parsed = incidentReportSchema.safeParse(input);
    if (!parsed.success) throw new InvalidReport(describeZodError(parsed.error));
    const headId = await this.directory.userIdOf(this.config.safeguarding.headteacher);
    const report = { ...parsed.data, involved: await recogniseInvolved(parsed.data.involved, this.directory, headId) };
    const routing = routeIncident(report, this.config.safeguarding, headId);
    const result = await this.store.submit(report, reporter.id, routing);
    if (result.created) this.delivery.deliverInBackground();
    return result;
  }

  /** Policy 002, student AUP: a student's Confide goes only to the safeguarding team. */
  async confide(input: unknown, student: Person): Promise<{ incidentId: string; created: boolean }> {
    const parsed = confideSchema.safeParse(input);
    if (!parsed.success) throw new InvalidReport(describeZodError(parsed.error));
    return this.report(
      {
        submissionId: parsed.data.submissionId,
        category: 'conduct',
        subCategory: 'not-sure',
        whatHappened: parsed.data.message.length >= 10 ? parsed.data.message : `${parsed.data.message} (Confide)`,
        when: this.now().toISOString(),
        illegalOrImmediateRisk: parsed.data.unsafeNow,
        involved: [{ id: student.id, name: student.displayName, role: 'student' }],
        channel: 'confide',
      },
      student,
    );
  }
}
