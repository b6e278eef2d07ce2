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
  makeStyles,
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
  tokens,
} from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { AuditFinding, AuditTrendPoint } from '../api';
import { useApi } from '../session';
import { ErrorBar, usePageStyles } from '../ui';
import { AuditProgress } from './AuditProgress';

const SEVERITY_COLOUR = { high: 'danger', medium: 'warning', low: 'informative' } as const;

const useStyles = makeStyles({
  summary: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'center', flexWrap: 'wrap', marginBottom: tokens.spacingVerticalM },
  notChecked: { marginBottom: tokens.spacingVerticalM },
  severityColumn: { width: '90px' },
  clauseColumn: { width: '32%' },
  actionsColumn: { width: '150px' },
  trend: { maxWidth: '100%' },
  high: { fill: tokens.colorPaletteRedBackground3 },
  medium: { fill: tokens.colorPaletteDarkOrangeBackground3 },
  low: { fill: tokens.colorNeutralForeground3 },
});

function Trend({ runs }: { runs: AuditTrendPoint[] }) {
  const s = useStyles();
  if (runs.length === 0) return null;
  const max = Math.max(1, ...runs.map((r) => r.high + r.medium + r.low));
  const width = Math.max(120, runs.length * 22);
  return (
    <svg role="img" aria-label={`Findings over the last ${runs.length} runs`} width={width} height={70} viewBox={`0 0 ${width} 70`} className={s.trend}>
      {runs.map((r, i) => {
        const h = (n: number) => (n / max) * 60;
        let y = 65;
        return (
          <g key={r.id}>
            <title>{`${r.finishedAt.slice(0, 16).replace('T', ' ')}: ${r.high} high, ${r.medium} medium, ${r.low} low`}</title>
            {(['low', 'medium', 'high'] as const).map((severity) => {
              y -= h(r[severity]);
              return <rect key={severity} x={i * 22} y={y} width={16} height={h(r[severity])} className={s[severity]} />;
            })}
          </g>
        );
      })}
    </svg>
  );
}

/** The IT admin's view of the tenant audit: what is wrong, which clause it breaks, how to fix it. */
export function AuditPage() {
  const api = useApi();
  const queries = useQueryClient();
  const p = usePageStyles();
  const s = useStyles();
  const [severity, setSeverity] = useState('all');
  const [control, setControl] = useState('all');
  const [status, setStatus] = useState('open');
  const [accepting, setAccepting] = useState<AuditFinding>();

  const latest = useQuery({ queryKey: ['audit', 'latest'], queryFn: ({ signal }) => api.auditLatest(signal) });
  // The filters come from the audit's catalogue of controls, so a new control needs no tab change.
  const catalogue = useQuery({ queryKey: ['audit', 'controls'], queryFn: ({ signal }) => api.auditControls(signal) });
  const trend = useQuery({ queryKey: ['audit', 'runs'], queryFn: ({ signal }) => api.auditTrend(signal) });
  const refresh = () => queries.invalidateQueries({ queryKey: ['audit'] });
  const run = useMutation({ mutationFn: () => api.auditRun(), onSettled: refresh });
  const raise = useMutation({
    mutationFn: (f: AuditFinding) => api.raiseIncident(f.key).then((r) => ({ ...r, name: f.subject.name })),
  });

  const shown = useMemo(
    () =>
      (latest.data?.findings ?? []).filter(
        (f) =>
          (severity === 'all' || f.severity === severity) &&
          (control === 'all' || f.control === control) &&
          (status === 'all' || (status === 'open' ? !f.accepted : !!f.accepted)),
      ),
    [latest.data, severity, control, status],
  );

  if (latest.isPending) return <Spinner label="Loading the audit…" />;
  const data = latest.data;
  const isNew = new Set(data?.changes?.new ?? []);
  const notChecked = data?.run?.coverage.filter((c) => c.status === 'not-checked') ?? [];
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block className={p.title}>
        Tenant audit
      </Title2>
      <ErrorBar error={latest.error ?? trend.error ?? run.error ?? raise.error} />
      {raise.data && (
        <MessageBar intent="success">
          {raise.data.created ? `Raised as an incident for the safeguarding team: ${raise.data.name}.` : 'This finding had already been raised as an incident.'}
        </MessageBar>
      )}
      <div className={s.summary}>
        <Body1>
          {data?.run
            ? `Last run ${data.run.finishedAt.slice(0, 16).replace('T', ' ')} UTC: ${data.findings.length} findings, ${data.changes?.new.length ?? 0} new, ${data.changes?.resolved ?? 0} resolved.`
            : 'No audit has run yet.'}
        </Body1>
        <Button appearance="primary" onClick={() => run.mutate()} disabled={run.isPending}>
          {run.isPending ? 'Auditing…' : 'Run the audit now'}
        </Button>
        <Trend runs={trend.data ?? []} />
      </div>
      <AuditProgress running={run.isPending} />
      {notChecked.length > 0 && (
        <MessageBar intent="warning" layout="multiline" className={s.notChecked}>
          Not checked: {notChecked.map((c) => `${c.check} (${c.reason?.replace(/^not checked: /, '')})`).join('; ')}
        </MessageBar>
      )}
      <div className={p.filters}>
        <Field label="Severity">
          <Dropdown aria-label="Severity" value={severity} onOptionSelect={(_, d) => setSeverity(d.optionValue ?? 'all')}>
            {['all', 'high', 'medium', 'low'].map((v) => (
              <Option key={v} value={v}>
                {v}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Control">
          <Dropdown
            aria-label="Control"
            value={control === 'all' ? 'all' : (catalogue.data?.controls.find((c) => c.id === control)?.title ?? control)}
            onOptionSelect={(_, d) => setControl(d.optionValue ?? 'all')}
          >
            <Option value="all">all</Option>
            {(catalogue.data?.controls ?? []).map((c) => (
              <Option key={c.id} value={c.id} text={c.title}>
                {`${c.title} (${c.id})`}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Status">
          <Dropdown aria-label="Status" value={status} onOptionSelect={(_, d) => setStatus(d.optionValue ?? 'open')}>
            {['open', 'accepted', 'all'].map((v) => (
              <Option key={v} value={v}>
                {v}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      <Table aria-label="Findings" size="small" className={p.reflow}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={s.severityColumn}>Severity</TableHeaderCell>
            <TableHeaderCell>Finding</TableHeaderCell>
            <TableHeaderCell className={s.clauseColumn}>Policy clause</TableHeaderCell>
            <TableHeaderCell className={s.actionsColumn} />
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((f) => (
            <TableRow key={f.key} data-testid="finding-row">
              <TableCell>
                <Badge color={SEVERITY_COLOUR[f.severity]}>{f.severity}</Badge> {isNew.has(f.key) && <Badge appearance="outline">new</Badge>}
              </TableCell>
              <TableCell>
                <Text block weight="semibold">
                  {f.subject.name}
                </Text>
                <Body1 block>{f.detail}</Body1>
                <Caption1 block>How to fix: {f.fix}</Caption1>
                {f.accepted && (
                  <Caption1 block>
                    Accepted until {f.accepted.expiresAt.slice(0, 10)}: {f.accepted.reason}
                  </Caption1>
                )}
              </TableCell>
              <TableCell data-label="Policy clause">
                <Caption1 block>“{f.policyRef.quote}”</Caption1>
                <Caption1 block italic>
                  {f.policyRef.document}, {f.policyRef.section}
                </Caption1>
              </TableCell>
              <TableCell>
                {!f.accepted && (
                  <Button size="small" onClick={() => setAccepting(f)}>
                    Accept…
                  </Button>
                )}{' '}
                <Button size="small" appearance="subtle" onClick={() => raise.mutate(f)}>
                  Raise as incident
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {shown.length === 0 && (
        <Body1 block className={p.gap}>
          No findings match.
        </Body1>
      )}
      {accepting && (
        <AcceptDialog
          finding={accepting}
          onClose={(changed) => {
            setAccepting(undefined);
            if (changed) void refresh();
          }}
        />
      )}
    </section>
  );
}

function AcceptDialog({ finding, onClose }: { finding: AuditFinding; onClose: (changed: boolean) => void }) {
  const api = useApi();
  const p = usePageStyles();
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10));
  const accept = useMutation({
    mutationFn: () => api.acceptFinding(finding.key, reason, new Date(`${until}T23:59:59Z`).toISOString()),
    onSuccess: () => onClose(true),
  });
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose(false)}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Accept this finding</DialogTitle>
          <DialogContent>
            <Body1 block className={p.lead}>
              {finding.subject.name}: {finding.detail}
            </Body1>
            <ErrorBar error={accept.error} />
            <Field label="Why is this acceptable?" required>
              <Textarea value={reason} onChange={(_, d) => setReason(d.value)} />
            </Field>
            <Field label="Until" required>
              <Input type="date" value={until} onChange={(_, d) => setUntil(d.value)} />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onClose(false)}>Cancel</Button>
            <Button appearance="primary" onClick={() => accept.mutate()} disabled={accept.isPending}>
              Accept
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
