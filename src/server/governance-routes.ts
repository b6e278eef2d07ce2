import type { Server } from 'restify';
import type { AppRole } from '../school/school-directory';
import { halfTermById, halfTermOf } from '../governance/half-terms';
import type { HalfTermReports } from '../governance/half-term-report';
import type { PolicyReviews, Republish } from '../governance/policy-reviews';
import { halfTermReportHtml } from '../governance/report-html';
import type { TrainingRecords } from '../governance/training-records';
import {
  formatQuery,
  halfTermQuery,
  importTrainingRequest,
  recordReviewRequest,
  recordTrainingRequest,
  type CsvDownload,
  type HalfTerm,
  type HalfTermReport,
  type ImportTrainingResponse,
  type ReviewRecord,
  type ReviewStatus,
  type TrainingRow,
} from '../contract';
import type { RouteKit } from './create-server';
import { InvalidApiRequest, parseRequest } from './http-errors';

type HalfTermReportHtml = { filename: string; html: string };

/** Policy 001 and 003: the report goes to the full governing body; the head presents it. */
const REPORT_READERS: AppRole[] = ['governor', 'headteacher'];
/** Policy 002: the head ensures staff are trained, the DSL facilitates it. */
const TRAINING_KEEPERS: AppRole[] = ['headteacher', 'dsl', 'admin'];

export function governanceRoutes(deps: { reports: HalfTermReports; reviews: PolicyReviews; training: TrainingRecords; republish: Republish }) {
  /** The half term asked for, or the current one. */
  const chosen = (req: { query?: unknown }) => {
    const { halfTerm: id } = parseRequest(halfTermQuery, req.query);
    if (!id) return halfTermOf(new Date());
    const h = halfTermById(id);
    if (!h) throw new InvalidApiRequest('halfTerm must be like "2026-27 autumn 1"');
    return h;
  };
  return (server: Server, { route }: RouteKit) => {
    server.get(
      '/api/governance/half-terms',
      route(REPORT_READERS, async (): Promise<{ halfTerms: HalfTerm[] }> => ({ halfTerms: deps.reports.halfTerms() })),
    );
    server.get(
      '/api/governance/report',
      route(REPORT_READERS, async (req): Promise<HalfTermReport> => deps.reports.report(chosen(req))),
    );
    server.get(
      '/api/governance/report/html',
      route(REPORT_READERS, async (req): Promise<HalfTermReportHtml> => {
        const report = await deps.reports.report(chosen(req));
        return { filename: `e-safety-report-${report.halfTerm.id.replace(/\s+/g, '-')}.html`, html: halfTermReportHtml(report) };
      }),
    );
    server.get(
      '/api/governance/reviews',
      route([...REPORT_READERS, 'admin'], async (): Promise<{ reviews: ReviewStatus[] }> => ({ reviews: await deps.reviews.schedule() })),
    );
    server.post(
      '/api/governance/reviews/:policyId',
      route(['headteacher', 'admin'], async (req, { person }): Promise<ReviewRecord> =>
        deps.reviews.record(String(req.params?.policyId ?? ''), parseRequest(recordReviewRequest, req.body), person, deps.republish),
      ),
    );
    server.get(
      '/api/governance/training',
      route(TRAINING_KEEPERS, async (req, { person }): Promise<CsvDownload | { people: TrainingRow[] }> =>
        parseRequest(formatQuery, req.query).format === 'csv' ? { csv: await deps.training.csv(person) } : { people: await deps.training.status(person) },
      ),
    );
    server.post(
      '/api/governance/training',
      route(TRAINING_KEEPERS, async (req, { person }): Promise<{ created: boolean }> =>
        deps.training.record(parseRequest(recordTrainingRequest, req.body), person),
      ),
    );
    server.post(
      '/api/governance/training/import',
      route(TRAINING_KEEPERS, async (req, { person }): Promise<ImportTrainingResponse> =>
        deps.training.importCsv(parseRequest(importTrainingRequest, req.body).csv, person),
      ),
    );
  };
}
