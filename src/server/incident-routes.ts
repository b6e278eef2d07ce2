import type { Request, Server } from 'restify';
import { InvalidReport, NoSuchIncident, NotAllowed, type IncidentService } from '../incidents/incident-service';
import { csvTable } from '../report/csv';
import { HttpError, type RouteKit } from './create-server';


/** Translates the domain's refusals into clear HTTP answers. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof InvalidReport) throw new HttpError(400, 'invalid-report', e.message);
    if (e instanceof NotAllowed) throw new HttpError(403, 'forbidden', e.message);
    if (e instanceof NoSuchIncident) throw new HttpError(404, 'no-such-incident', 'No incident has that id.');
    throw e;
  }
}

export function incidentRoutes(incidents: IncidentService) {
  return (server: Server, { route }: RouteKit) => {
    server.post(
      '/api/incidents',
      route(['staff', 'governor'], async (req, { person }) => guarded(() => incidents.report({ ...(req.body as object), channel: 'tab' }, person))),
    );
    server.post(
      '/api/confide',
      route(['student'], async (req, { person }) => guarded(async () => {
        await incidents.confide(req.body, person);
        // The student learns it arrived, nothing about who reads it.
        return { received: true };
      })),
    );
    server.get(
      '/api/incidents',
      route(['safeguarding'], async (req: Request, { person }) => {
        const q = (req.query ?? {}) as Record<string, string>;
        const olderThanHours = q.olderThanHours ? Number(q.olderThanHours) : undefined;
        if (olderThanHours !== undefined && !(olderThanHours > 0)) throw new HttpError(400, 'invalid-filter', 'olderThanHours must be a positive number');
        return guarded(async () => ({
          incidents: await incidents.list(person, {
            ...(q.status ? { status: q.status } : {}),
            ...(q.category ? { category: q.category } : {}),
            ...(olderThanHours ? { olderThanHours } : {}),
            ...(q.person ? { person: q.person } : {}),
          }),
        }));
      }),
    );
    server.get(
      '/api/incidents/people/chronology',
      route(['safeguarding'], async (req, { person }) => {
        const q = (req.query ?? {}) as Record<string, string>;
        return guarded(() => incidents.chronologyOf({ ...(q.id ? { id: q.id } : {}), ...(q.name ? { name: q.name } : {}) }, person));
      }),
    );
    server.get(
      '/api/incidents/governors-report',
      route(['safeguarding', 'headteacher'], async (req, { person }) =>
        guarded(async () => {
          const rows = await incidents.governorsReport(person);
          if ((req.query as Record<string, string> | undefined)?.format !== 'csv') return { rows };
          const header = ['term', 'category', 'subCategory', 'incidents', 'medianHoursToAcknowledge', 'medianHoursToClose'];
          return { csv: csvTable(header, rows.map((r) => header.map((h) => r[h as keyof typeof r]))) };
        }),
      ),
    );
    server.get(
      '/api/incidents/:id',
      route('any', async (req, { person }) => guarded(() => incidents.read(String(req.params.id), person))),
    );
  };
}
