import type { Server } from 'restify';
import type { AppRole, Person } from '../school/school-directory';
import { halfTermById, halfTermOf } from '../governance/half-terms';
import type { HalfTermReports } from '../governance/half-term-report';
import { InvalidReview, ReviewNotAllowed, type PolicyReviews, type Republish } from '../governance/policy-reviews';
import { halfTermReportHtml } from '../governance/report-html';
import { InvalidTraining, TrainingNotAllowed, type TrainingRecords } from '../governance/training-records';
import { HttpError, type RouteKit } from './create-server';

/** Policy 001 and 003: the report goes to the full governing body; the head presents it. */
const REPORT_READERS: AppRole[] = ['governor', 'headteacher'];
/** Policy 002: the head ensures staff are trained, the DSL facilitates it. */
const TRAINING_KEEPERS: AppRole[] = ['headteacher', 'dsl', 'admin'];

const clear = <T>(work: () => Promise<T>): Promise<T> =>
  work().catch((e) => {
    if (e instanceof ReviewNotAllowed || e instanceof TrainingNotAllowed) throw new HttpError(403, 'forbidden', e.message);
    if (e instanceof InvalidReview || e instanceof InvalidTraining) throw new HttpError(400, 'invalid-request', e.message);
    throw e;
  });

export function governanceRoutes(deps: { reports: HalfTermReports; reviews: PolicyReviews; training: TrainingRecords; republish: Republish }) {
  const chosen = (req: { query?: unknown }) => {
    const id = (req.query as Record<string, string> | undefined)?.halfTerm;
    if (!id) return halfTermOf(new Date());
    const h = halfTermById(id);
    if (!h) throw new HttpError(400, 'invalid-request', 'halfTerm must be like "2026-27 autumn 1"');
    return h;
  };
  return (server: Server, { route }: RouteKit) => {
    server.get('/api/governance/half-terms', route(REPORT_READERS, async () => ({ halfTerms: deps.reports.halfTerms() })));
    server.get('/api/governance/report', route(REPORT_READERS, async (req) => deps.reports.report(chosen(req))));
    server.get(
      '/api/governance/report/html',
      route(REPORT_READERS, async (req) => {
        const report = await deps.reports.report(chosen(req));
        return { filename: `e-safety-report-${report.halfTerm.id.replace(/\s+/g, '-')}.html`, html: halfTermReportHtml(report) };
      }),
    );
    server.get('/api/governance/reviews', route([...REPORT_READERS, 'admin'], async () => ({ reviews: await deps.reviews.schedule() })));
    server.post(
      '/api/governance/reviews/:policyId',
      route(['headteacher', 'admin'], async (req, { person }) => clear(() => deps.reviews.record(String(req.params?.policyId ?? ''), req.body, person, deps.republish))),
    );
    server.get(
      '/api/governance/training',
      route(TRAINING_KEEPERS, async (req, { person }) =>
        clear(async () => ((req.query as Record<string, string> | undefined)?.format === 'csv' ? { csv: await deps.training.csv(person) } : { people: await deps.training.status(person as Person) })),
      ),
    );
    server.post('/api/governance/training', route(TRAINING_KEEPERS, async (req, { person }) => clear(() => deps.training.record(req.body, person))));
    server.post(
      '/api/governance/training/import',
      route(TRAINING_KEEPERS, async (req, { person }) =>
        clear(async () => {
          const csv = (req.body as { csv?: unknown } | undefined)?.csv;
          if (typeof csv !== 'string') throw new HttpError(400, 'invalid-request', 'send the CSV as {"csv": "..."}');
          return deps.training.importCsv(csv, person);
        }),
      ),
    );
  };
}
