import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeTimeLeft, type AuditProgressView } from '../src/audit/audit-progress';
import { AuditService } from '../src/audit/audit-service';
import { AuditStore } from '../src/audit/audit-store';
import { AuditWatermarks } from '../src/audit/audit-watermark';
import { citeFrom } from '../src/audit/policy-references';
import type { CollectProgress } from '../src/audit/collect/collect-tenant';
import type { ControlResult } from '../src/audit/controls/control';
import { reportCsv } from '../src/audit/report/report-csv';
import { reportHtml } from '../src/audit/report/report-html';
import { ConfigError, loadSchoolConfig } from '../src/config/load-school-config';
import { startDemoTenantServer } from '../src/demo-tenant/demo-tenant-server';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { exchangeAdminFor } from '../src/exchange/exchange-admin';
import { generateSchool, sizeForUsers } from '../src/demo-tenant/school-generator';
import { GraphAccess } from '../src/graph/graph-access';
import { graphAuthFromEnv, tokenSourceFor, type GraphAuthConfig } from '../src/graph/graph-auth';
import { openStorage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';
import { existingIncidentLogKeys } from './incident-commands';
import { packageRoot } from './start-app';

export interface AuditCommandOptions {
  demo?: boolean;
  users?: number;
  config?: string;
  graphUrl?: string;
  token?: string;
  databaseUrl?: string;
  json?: string;
  csv?: string;
  html?: string;
  sinceLast?: boolean;
  teamsPolicy?: string;
}

/**
 * Progress: each area's done/total and the time left the binding limit imposes; one rewritten line
 * on a terminal, a plain line per area otherwise (logs, CI).
 */
function progressPrinter(stream: NodeJS.WriteStream, graph: GraphAccess) {
  // Areas run side by side, so a log gets a line when an area starts and when it is done.
  const printed = new Map<string, string>();
  return (p: CollectProgress, view: AuditProgressView) => {
    const waited = graph.stats.waitedMs ? `, waited ${(graph.stats.waitedMs / 1000).toFixed(0)} s for limits` : '';
    const counts = `${graph.stats.requests} requests, ${graph.stats.throttled} throttled${waited}`;
    const left = `${describeTimeLeft(view.timeLeftMs)}${view.limitedBy ? ` (${view.limitedBy})` : ''}`;
    if (stream.isTTY) return void stream.write(`\r\x1b[K${p.phase}: ${p.done}/${p.total} · ${left} · ${counts}`);
    const state = p.total > 0 && p.done >= p.total ? 'done' : 'reading';
    if (printed.get(p.phase) === state) return;
    printed.set(p.phase, state);
    stream.write(`${p.phase}: ${state === 'done' ? `done (${p.total})` : `${p.done}/${p.total}`}, ${left} (${counts} so far)\n`);
  };
}

/** Every control's result in one line: the passes count as much as the failures. */
function controlsLine(controls: ControlResult[]): string {
  const n = (s: ControlResult['status']) => controls.filter((c) => c.status === s).length;
  return `Controls: ${n('pass')} pass, ${n('fail')} fail, ${n('not-checked')} not checked (of ${controls.length}; esafety audit-controls lists them).`;
}

export async function auditCommand(o: AuditCommandOptions): Promise<void> {
  const root = packageRoot();
  const configFile = o.config ?? (o.demo ? join(root, 'config', 'demo-school.yaml') : process.env.ESAFETY_CONFIG);
  if (!configFile) throw new ConfigError('no school configuration: pass --config FILE, set ESAFETY_CONFIG, or use --demo');
  const config = loadSchoolConfig(configFile);
  let teamsPolicies: unknown;
  if (o.teamsPolicy) {
    try {
      teamsPolicies = JSON.parse(readFileSync(o.teamsPolicy, 'utf8').replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new ConfigError(`${o.teamsPolicy}: not a readable JSON export (${(e as Error).message.split('\n')[0]})`);
    }
  }

  let closeTenant: (() => Promise<void>) | undefined;
  let demoExchangeUrl: string | undefined;
  let graphUrl = o.graphUrl ?? process.env.GRAPH_BASE_URL;
  let auth: GraphAuthConfig | undefined = o.token ? { mode: 'token', token: o.token } : graphAuthFromEnv(process.env, config.school.tenantId);
  if (o.demo) {
    const running = await startDemoTenantServer(createDemoTenant(generateSchool(o.users ? { size: sizeForUsers(o.users) } : {})));
    closeTenant = running.close;
    graphUrl = running.graphBaseUrl;
    demoExchangeUrl = `${running.url}/adminapi/beta`;
    auth = { mode: 'demo' };
  }
  if (!auth) throw new ConfigError('no Graph credentials: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET, or GRAPH_TOKEN, pass --token, or use --demo');

  const storage = openStorage(o.databaseUrl ?? process.env.DATABASE_URL);
  try {
    await migrateToLatest(storage, existingIncidentLogKeys(o.databaseUrl ?? process.env.DATABASE_URL));
    const graph = new GraphAccess({ ...(graphUrl ? { baseUrl: graphUrl } : {}), tokens: tokenSourceFor(auth, graphUrl ?? 'https://graph.microsoft.com/v1.0') });
    const exchange = exchangeAdminFor(auth, config.school.tenantId, process.env, demoExchangeUrl);
    const service = new AuditService({
      graph,
      config,
      store: new AuditStore(storage.db, undefined, citeFrom(config)),
      exchange,
      watermarks: new AuditWatermarks(storage.db),
    });
    const { report, changes } = await service.run({
      trigger: 'cli',
      ...(o.sinceLast ? { sinceLast: true } : {}),
      ...(teamsPolicies !== undefined ? { teamsPolicies } : {}),
      onProgress: progressPrinter(process.stderr, graph),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');

    if (o.json) writeFileSync(o.json, JSON.stringify(report, null, 2));
    if (o.csv) writeFileSync(o.csv, reportCsv(report));
    if (o.html) writeFileSync(o.html, reportHtml(report, config.school.name, changes));

    const sev = (s: string) => report.findings.filter((f) => f.severity === s && !f.accepted).length;
    const accepted = report.findings.filter((f) => f.accepted).length;
    const lines = [
      `Audit of ${config.school.name}: ${report.findings.length} findings (${sev('high')} high, ${sev('medium')} medium, ${sev('low')} low${accepted ? `, ${accepted} accepted` : ''}).`,
      `Since the last run: ${changes.new.length} new, ${changes.resolved.length} resolved, ${changes.stillOpen.length} still open.`,
      ...report.coverage.filter((c) => c.status !== 'checked').map((c) => `  ${c.check}: ${c.reason}`),
      controlsLine(report.controls),
      `Graph: ${report.stats.requests} requests, ${report.stats.batches} batches, ${report.stats.throttled} throttled, ~${report.stats.resourceUnits} SharePoint resource units.`,
      ...[o.json, o.csv, o.html].filter(Boolean).map((f) => `Written: ${f}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await storage.close();
    await closeTenant?.();
  }
}
