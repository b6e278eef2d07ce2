import type { AuditStore } from '../src/audit/audit-store';
import type { AupService } from '../src/aup/aup-service';
import type { SchoolConfig } from '../src/config/school-config';
import { HalfTermReports } from '../src/governance/half-term-report';
import { PolicyReviews } from '../src/governance/policy-reviews';
import { ReviewSchedule } from '../src/governance/review-schedule';
import { TrainingRecords } from '../src/governance/training-records';
import type { Logger } from '../src/logging/logger';
import type { Notifier } from '../src/notify/notifier';
import type { Person, SchoolDirectory } from '../src/school/school-directory';
import { governanceRoutes } from '../src/server/governance-routes';
import type { Storage } from '../src/storage/database';
import type { JobRunner } from '../src/jobs/job-runner';
import type { RegisterRoutes } from '../src/server/create-server';

/**
 * The report reads coverage counts through the AUP service, as the head would see them; the
 * people's names are dropped here, before anything reaches the governors' report.
 */
const REPORT_READER: Person = {
  id: 'governors-report',
  displayName: 'Governors\u2019 report',
  userPrincipalName: '',
  mail: null,
  kind: 'unknown',
  classifiedBy: 'none',
  roles: ['headteacher'],
};

export function governanceFeature(deps: {
  storage: Storage;
  config: SchoolConfig;
  directory: SchoolDirectory;
  notifier: Notifier;
  logger: Logger;
  runner: JobRunner;
  auditStore: AuditStore;
  aup: AupService;
  link: () => string;
}): { routes: RegisterRoutes; schedule: ReviewSchedule; reports: HalfTermReports; reviews: PolicyReviews; training: TrainingRecords } {
  const { storage, config } = deps;
  const reviews = new PolicyReviews({
    db: storage.db,
    config,
    directory: deps.directory,
    notifier: deps.notifier,
    logger: deps.logger,
    options: { remindDaysAhead: Number(process.env.POLICY_REVIEW_REMIND_DAYS ?? 30), link: deps.link },
  });
  const training = new TrainingRecords({ db: storage.db, directory: deps.directory });
  const reports = new HalfTermReports({
    db: storage.db,
    config,
    audits: deps.auditStore,
    coverageOf: async (policyId) => {
      const c = await deps.aup.coverage(policyId, REPORT_READER);
      return { policyId: c.policyId, title: c.title, version: c.version, counts: c.counts };
    },
    reviews,
    training,
  });
  const republish = async (policyId: string, text: string | undefined, by: Person) => {
    const { version, created } = await deps.aup.publish(policyId, text === undefined ? {} : { text }, by);
    return { version: version.version, created };
  };
  return {
    routes: governanceRoutes({ reports, reviews, training, republish }),
    schedule: new ReviewSchedule({ runner: deps.runner, reviews, logger: deps.logger }),
    reports,
    reviews,
    training,
  };
}
