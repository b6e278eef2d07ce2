import type { Request, Server } from 'restify';
import type { IncidentService } from '../incidents/incident-service';
import {
  chronologyQuery,
  confideRequest,
  formatQuery,
  incidentActionRequest,
  incidentQuery,
  reportConcernRequest,
  type ConfideResponse,
  type CsvDownload,
  type GovernorsRow,
  type IncidentDetail,
  type IncidentRow,
  type PersonChronology,
  type ReportConcernResponse,
} from '../contract';
import { csvTable } from '../report/csv';
import type { RouteKit } from './create-server';
import { parseRequest } from './http-errors';

const GOVERNORS_COLUMNS = ['term', 'category', 'subCategory', 'incidents', 'medianHoursToAcknowledge', 'medianHoursToClose'] as const;

export function incidentRoutes(incidents: IncidentService) {
  return (server: Server, { route }: RouteKit) => {
    server.post(
      '/api/incidents',
      route(['staff', 'governor'], async (req, { person }): Promise<ReportConcernResponse> =>
        incidents.report({ ...parseRequest(reportConcernRequest, req.body, 'invalid-report'), channel: 'tab' }, person),
      ),
    );
    server.post(
      '/api/confide',
      route(['student'], async (req, { person }): Promise<ConfideResponse> => {
        await incidents.confide(parseRequest(confideRequest, req.body, 'invalid-report'), person);
        // The student learns it arrived, nothing about who reads it.
        return { received: true };
      }),
    );
    server.get(
      '/api/incidents',
      // The head and the chair of governors see what was sent to them; the queue checks which.
      route(['safeguarding', 'headteacher', 'chair'], async (req: Request, { person }): Promise<{ incidents: IncidentRow[] }> => ({
        incidents: await incidents.list(person, parseRequest(incidentQuery, req.query, 'invalid-filter')),
      })),
    );
    server.get(
      '/api/incidents/people/chronology',
      route(['safeguarding'], async (req, { person }): Promise<PersonChronology> => incidents.chronologyOf(parseRequest(chronologyQuery, req.query), person)),
    );
    server.get(
      '/api/incidents/governors-report',
      route(['safeguarding', 'headteacher', 'governor'], async (req, { person }): Promise<{ rows: GovernorsRow[] } | CsvDownload> => {
        const rows = await incidents.governorsReport(person);
        if (parseRequest(formatQuery, req.query).format !== 'csv') return { rows };
        return {
          csv: csvTable(
            GOVERNORS_COLUMNS,
            rows.map((r) => GOVERNORS_COLUMNS.map((h) => r[h])),
          ),
        };
      }),
    );
    server.post(
      '/api/incidents/:id/actions',
      route('any', async (req, { person }): Promise<IncidentDetail> => {
        const { action, ...data } = parseRequest(incidentActionRequest, req.body, 'invalid-action');
        return incidents.actAndShow(String(req.params.id), action, person, data);
      }),
    );
    server.get(
      '/api/incidents/:id',
      route('any', async (req, { person }): Promise<IncidentDetail> => incidents.read(String(req.params.id), person)),
    );
  };
}
