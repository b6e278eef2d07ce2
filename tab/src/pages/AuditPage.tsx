import {
  Badge,
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  Option,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  Title2,
} from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type AuditFinding, type AuditLatest, type AuditTrendPoint } from '../api';
import { AuditProgress } from './AuditProgress';

const AREAS: Record<string, string> = { mail: 'Mail', sharing: 'File sharing', groups: 'Groups and teams', tenant: 'Guests and tenant', meetings: 'Meetings', teams: 'Teams policies' };
const SEVERITY_COLOUR = { high: 'danger', medium: 'warning', low: 'informative' } as const;

function Trend({ runs }: { runs: AuditTrendPoint[] }) {
  if (runs.length === 0) return null;
  const max = Math.max(1, ...runs.map((r) => r.high + r.medium + r.low));
  return (
    <svg role="img" aria-label={`Findings over the last ${runs.length} runs`} width={Math.max(120, runs.length * 22)} height={70}>
      {runs.map((r, i) => {
        const h = (n: number) => (n / max) * 60;
        let y = 65;
        return (
          <g key={r.id}>
            <title>{`${r.finishedAt.slice(0, 16).replace('T', ' ')}: ${r.high} high, ${r.medium} medium, ${r.low} low`}</title>
            {(['low', 'medium', 'high'] as const).map((s) => {
              y -= h(r[s]);
              return <rect key={s} x={i * 22} y={y} width={16} height={h(r[s])} fill={s === 'high' ? '#b3261e' : s === 'medium' ? '#c77700' : '#58708f'} />;
            })}
          </g>
        );
      })}
    </svg>
  );
}

/** The IT admin's view of the tenant audit: what is wrong, which clause it breaks, how to fix it. */
export function AuditPage({ token }: { token: string }) {
  const [latest, setLatest] = useState<AuditLatest>();
  const [trend, setTrend] = useState<AuditTrendPoint[]>([]);
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const [severity, setSeverity] = useState('all');
  const [area, setArea] = useState('all');
  const [status, setStatus] = useState('open');
  const [accepting, setAccepting] = useState<AuditFinding>();
  const [notice, setNotice] = useState<string>();
  const raise = async (f: AuditFinding) => {
    try {
      const r = await api.raiseIncident(token, f.key);
      setNotice(r.created ? `Raised as an incident for the safeguarding team: ${f.subject.name}.` : 'This finding had already been raised as an incident.');
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const load = useCallback(async () => {
    try {
      const [l, t] = await Promise.all([api.auditLatest(token), api.auditTrend(token)]);
      setLatest(l);
      setTrend(t);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [token]);
  useEffect(() => void load(), [load]);

  const runNow = async () => {
    setRunning(true);
    setError(undefined);
    try {
      await api.auditRun(token);
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  };

  const shown = useMemo(
    () =>
      (latest?.findings ?? []).filter(
        (f) =>
          (severity === 'all' || f.severity === severity) &&
          (area === 'all' || f.rule.startsWith(`${area}.`)) &&
          (status === 'all' || (status === 'open' ? !f.accepted : !!f.accepted)),
      ),
    [latest, severity, area, status],
  );

  if (!latest && !error) return <Spinner label="Loading the audit…" />;
  const isNew = new Set(latest?.changes?.new ?? []);
  const notChecked = latest?.run?.coverage.filter((c) => c.status === 'not-checked') ?? [];
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block style={{ marginBottom: 8 }}>
        Tenant audit
      </Title2>
      {error && <MessageBar intent="error">{error}</MessageBar>}
      {notice && <MessageBar intent="success">{notice}</MessageBar>}
      <div style={{ display: 'flex', gap: 16, alignItems: 'center', flexWrap: 'wrap', marginBottom: 12 }}>
        <Body1>
          {latest?.run
            ? `Last run ${latest.run.finishedAt.slice(0, 16).replace('T', ' ')} UTC: ${latest.findings.length} findings, ${latest.changes?.new.length ?? 0} new, ${latest.changes?.resolved ?? 0} resolved.`
            : 'No audit has run yet.'}
        </Body1>
        <Button appearance="primary" onClick={runNow} disabled={running}>
          {running ? 'Auditing…' : 'Run the audit now'}
        </Button>
        <Trend runs={trend} />
      </div>
      <AuditProgress token={token} running={running} />
      {notChecked.length > 0 && (
        <MessageBar intent="warning" layout="multiline" style={{ marginBottom: 12 }}>
          Not checked: {notChecked.map((c) => `${c.check} (${c.reason?.replace(/^not checked: /, '')})`).join('; ')}
        </MessageBar>
      )}
      <div style={{ display: 'flex', gap: 12, marginBottom: 12 }}>
        <Field label="Severity">
          <Dropdown aria-label="Severity" value={severity} onOptionSelect={(_, d) => setSeverity(d.optionValue ?? 'all')}>
            {['all', 'high', 'medium', 'low'].map((v) => (
              <Option key={v} value={v}>{v}</Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Area">
          <Dropdown aria-label="Area" value={area === 'all' ? 'all' : AREAS[area]} onOptionSelect={(_, d) => setArea(d.optionValue ?? 'all')}>
            <Option value="all">all</Option>
            {Object.entries(AREAS).map(([k, v]) => (
              <Option key={k} value={k}>{v}</Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Status">
          <Dropdown aria-label="Status" value={status} onOptionSelect={(_, d) => setStatus(d.optionValue ?? 'open')}>
            {['open', 'accepted', 'all'].map((v) => (
              <Option key={v} value={v}>{v}</Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      <Table aria-label="Findings" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell style={{ width: 90 }}>Severity</TableHeaderCell>
            <TableHeaderCell>Finding</TableHeaderCell>
            <TableHeaderCell style={{ width: "32%" }}>Policy clause</TableHeaderCell>
            <TableHeaderCell style={{ width: 150 }} />
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((f) => (
            <TableRow key={f.key} data-testid="finding-row">
              <TableCell>
                <Badge color={SEVERITY_COLOUR[f.severity]}>{f.severity}</Badge> {isNew.has(f.key) && <Badge appearance="outline">new</Badge>}
              </TableCell>
              <TableCell>
                <Text block weight="semibold">{f.subject.name}</Text>
                <Body1 block>{f.detail}</Body1>
                <Caption1 block>How to fix: {f.fix}</Caption1>
                {f.accepted && <Caption1 block>Accepted until {f.accepted.expiresAt.slice(0, 10)}: {f.accepted.reason}</Caption1>}
              </TableCell>
              <TableCell>
                <Caption1 block>“{f.policyRef.quote}”</Caption1>
                <Caption1 block italic>{f.policyRef.file}, {f.policyRef.heading}</Caption1>
              </TableCell>
              <TableCell>
                {!f.accepted && <Button size="small" onClick={() => setAccepting(f)}>Accept…</Button>}{' '}
                <Button size="small" appearance="subtle" onClick={() => void raise(f)}>Raise as incident</Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {shown.length === 0 && <Body1 block style={{ marginTop: 12 }}>No findings match.</Body1>}
      {accepting && <AcceptDialog token={token} finding={accepting} onClose={(changed) => { setAccepting(undefined); if (changed) void load(); }} />}
    </section>
  );
}

function AcceptDialog({ token, finding, onClose }: { token: string; finding: AuditFinding; onClose: (changed: boolean) => void }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10));
  const [error, setError] = useState<string>();
  const save = async () => {
    try {
      await api.acceptFinding(token, finding.key, reason, new Date(`${until}T23:59:59Z`).toISOString());
      onClose(true);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose(false)}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Accept this finding</DialogTitle>
          <DialogContent>
            <Body1 block style={{ marginBottom: 8 }}>{finding.subject.name}: {finding.detail}</Body1>
            {error && <MessageBar intent="error">{error}</MessageBar>}
            <Field label="Why is this acceptable?" required>
              <Textarea value={reason} onChange={(_, d) => setReason(d.value)} />
            </Field>
            <Field label="Until" required>
              <Input type="date" value={until} onChange={(_, d) => setUntil(d.value)} />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onClose(false)}>Cancel</Button>
            <Button appearance="primary" onClick={save}>Accept</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
