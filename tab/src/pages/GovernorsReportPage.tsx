import {
  Body1,
  Button,
  Caption1,
  Dropdown,
  Field,
  makeStyles,
  mergeClasses,
  Option,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  Title3,
  tokens,
} from '@fluentui/react-components';
import { HorizontalBarChartWithAxis } from '@fluentui/react-charts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Figure } from '../api';
import { download } from '../download';
import { useApi, useMe } from '../session';
import { ErrorBar, usePageStyles } from '../ui';
import { RecordReviewForm } from './RecordReviewForm';

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalXXL },
  headline: { display: 'flex', gap: tokens.spacingHorizontalXXL, flexWrap: 'wrap', margin: `${tokens.spacingVerticalM} 0` },
  stat: {
    display: 'flex',
    flexDirection: 'column',
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
    minWidth: '140px',
  },
  statValue: { fontSize: tokens.fontSizeHero700, fontWeight: tokens.fontWeightSemibold, color: tokens.colorBrandForeground1 },
  chart: {
    display: 'grid',
    gridTemplateColumns: 'minmax(160px, 260px) 1fr',
    rowGap: tokens.spacingVerticalXS,
    columnGap: tokens.spacingHorizontalM,
    alignItems: 'center',
    maxWidth: '720px',
    margin: `${tokens.spacingVerticalM} 0`,
  },
  track: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  bar: { height: '14px', borderRadius: tokens.borderRadiusSmall, backgroundColor: tokens.colorBrandBackground, minWidth: '2px' },
  controls: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'end', flexWrap: 'wrap', margin: `${tokens.spacingVerticalM} 0` },
  source: { color: tokens.colorNeutralForeground3 },
  row: { display: 'contents' },
  categoryChart: { maxWidth: '720px' },
  narrowTable: { maxWidth: '480px' },
  trainingTable: { maxWidth: '640px' },
});

const show = (f: Figure) => (f.value === null ? '–' : String(f.value));
const traced = (f: Figure) => `${f.source.register}: ${f.source.filter}`;

/** A number with where it came from: on hover, and to screen readers. */
function N({ f }: { f: Figure }) {
  return (
    <span title={traced(f)} aria-description={`from ${traced(f)}`} data-source={f.source.register}>
      {show(f)}
    </span>
  );
}

/**
 * Bars drawn with Fluent tokens: an accessible list (each bar is a labelled row with its number),
 * themed like the rest of the tab, with no chart library in the bundle.
 */
function Bars({ label, items }: { label: string; items: Array<{ name: string; f: Figure }> }) {
  const s = useStyles();
  const max = Math.max(1, ...items.map((i) => i.f.value ?? 0));
  if (!items.length) return null;
  return (
    <div role="list" aria-label={label} className={s.chart}>
      {items.map((i) => (
        <div role="listitem" key={i.name} className={s.row}>
          <Body1>{i.name}</Body1>
          <span className={s.track}>
            <span className={s.bar} style={{ width: `${((i.f.value ?? 0) / max) * 100}%` }} />
            <N f={i.f} />
          </span>
        </div>
      ))}
    </div>
  );
}

function Stat({ label, f, testId }: { label: string; f: Figure; testId?: string }) {
  const s = useStyles();
  return (
    <div className={s.stat} data-testid={testId}>
      <span className={s.statValue}>
        <N f={f} />
      </span>
      <Caption1>{label}</Caption1>
    </div>
  );
}

/** The head's half-termly e-safety report (policies 001, 002, 003): numbers only, nobody named. */
export function GovernorsReportPage() {
  const api = useApi();
  // The head records the policies' annual reviews here; governors only read.
  const canRecordReviews = useMe().person.roles.includes('headteacher');
  const s = useStyles();
  const p = usePageStyles();
  const [picked, setPicked] = useState<string>();
  const halfTerms = useQuery({ queryKey: ['half-terms'], queryFn: ({ signal }) => api.halfTerms(signal) });
  // The last complete half-term is the one presented to governors.
  const chosen = picked ?? halfTerms.data?.[1]?.id ?? halfTerms.data?.[0]?.id;
  const reportQuery = useQuery({ queryKey: ['half-term-report', chosen], queryFn: ({ signal }) => api.halfTermReport(chosen!, signal), enabled: !!chosen });
  const report = reportQuery.data;
  const html = useMutation({
    mutationFn: async (halfTerm: string) => {
      const { filename, html } = await api.halfTermReportHtml(halfTerm);
      download(html, filename, 'text/html');
    },
  });
  const error = halfTerms.error ?? reportQuery.error ?? html.error;

  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block>
        Governors’ e-safety report
      </Title2>
      <Body1 as="p" block>
        The head’s half-termly report to the governing body: numbers only, nobody is named. Hover over a number to see the register it was counted from.
      </Body1>
      <ErrorBar error={error} />
      <div className={s.controls}>
        <Field label="Half-term">
          <Dropdown
            aria-label="Half-term"
            value={halfTerms.data?.find((h) => h.id === chosen)?.label ?? ''}
            selectedOptions={chosen ? [chosen] : []}
            onOptionSelect={(_, d) => d.optionValue && setPicked(d.optionValue)}
          >
            {(halfTerms.data ?? []).map((h) => (
              <Option key={h.id} value={h.id}>
                {h.label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Button appearance="primary" onClick={() => chosen && html.mutate(chosen)} disabled={!report || html.isPending}>
          Download for the clerk (HTML, printable)
        </Button>
        <Button onClick={async () => download(await api.governorsReportCsv(), 'e-safety-incidents-for-governors.csv')}>
          Incident numbers by term (CSV, no names)
        </Button>
      </div>
      {!report && !error && <Spinner label="Counting from the registers…" />}
      {report && (
        <>
          <Caption1 className={s.source}>
            {report.halfTerm.from.slice(0, 10)} to {new Date(Date.parse(report.halfTerm.to) - 1).toISOString().slice(0, 10)}; figures as at{' '}
            {report.asAt.slice(0, 16).replace('T', ' ')} UTC.
          </Caption1>

          <div className={s.section}>
            <Title3 as="h3" block>
              Incidents
            </Title3>
            <div className={s.headline}>
              <Stat label="reported this half-term" f={report.incidents.total} testId="incidents-total" />
              <Stat label="median hours to acknowledge" f={report.incidents.medianHoursToAcknowledge} />
              <Stat label="median hours to close" f={report.incidents.medianHoursToClose} />
            </div>
            {report.incidents.byCategory.length > 0 && (
              <div data-testid="category-chart" className={s.categoryChart}>
                <HorizontalBarChartWithAxis
                  chartTitle="Incidents by category"
                  useSingleColor
                  colors={[tokens.colorBrandBackground]}
                  hideLegend
                  showYAxisLables
                  margins={{ left: 220 }}
                  xAxisTickCount={Math.min(5, Math.max(1, ...report.incidents.byCategory.map((c) => c.incidents.value ?? 0)))}
                  height={Math.max(160, report.incidents.byCategory.length * 32)}
                  data={report.incidents.byCategory.map((c) => ({
                    y: `${c.category}: ${c.subCategory}`,
                    x: c.incidents.value ?? 0,
                    legend: `${c.category}: ${c.subCategory}`,
                    xAxisCalloutData: String(c.incidents.value ?? 0),
                  }))}
                />
              </div>
            )}
            <Bars label="Incidents by category" items={report.incidents.byCategory.map((c) => ({ name: `${c.category}: ${c.subCategory}`, f: c.incidents }))} />
            <Table aria-label="Where the incidents stand" size="small" className={s.narrowTable}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Where they stand</TableHeaderCell>
                  <TableHeaderCell>Incidents</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {report.incidents.byOutcome.map((o) => (
                  <TableRow key={o.outcome}>
                    <TableCell>{o.outcome}</TableCell>
                    <TableCell>
                      <N f={o.incidents} />
                    </TableCell>
                  </TableRow>
                ))}
                {report.incidents.escalations.map((e) => (
                  <TableRow key={e.to}>
                    <TableCell>escalated to {e.to}</TableCell>
                    <TableCell>
                      <N f={e.incidents} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Bars label="Incidents by half-term" items={report.incidents.trend.map((t) => ({ name: t.halfTerm, f: t.incidents }))} />
          </div>

          <div className={s.section}>
            <Title3 as="h3" block>
              Policy acceptance
            </Title3>
            <Table aria-label="Policy acceptance by audience" size="small" className={p.reflow}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Policy</TableHeaderCell>
                  <TableHeaderCell>Audience</TableHeaderCell>
                  <TableHeaderCell>Accepted</TableHeaderCell>
                  <TableHeaderCell>Pending</TableHeaderCell>
                  <TableHeaderCell>Overdue</TableHeaderCell>
                  <TableHeaderCell>Not reachable</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {report.coverage.policies.flatMap((p) =>
                  p.audiences.length
                    ? p.audiences.map((a) => (
                        <TableRow key={`${p.policyId}-${a.audience}`}>
                          <TableCell>
                            {p.title} v{p.version}
                          </TableCell>
                          <TableCell data-label="Audience">{a.audience}</TableCell>
                          <TableCell data-label="Accepted">
                            <N f={a.accepted} />
                          </TableCell>
                          <TableCell data-label="Pending">
                            <N f={a.pending} />
                          </TableCell>
                          <TableCell data-label="Overdue">
                            <N f={a.overdue} />
                          </TableCell>
                          <TableCell data-label="Not reachable">
                            <N f={a.unreachable} />
                          </TableCell>
                        </TableRow>
                      ))
                    : [
                        <TableRow key={p.policyId}>
                          <TableCell>{p.title}</TableCell>
                          <TableCell colSpan={5}>not published yet</TableCell>
                        </TableRow>,
                      ],
                )}
              </TableBody>
            </Table>
          </div>

          <div className={s.section}>
            <Title3 as="h3" block>
              Tenant audit
            </Title3>
            <div className={s.headline}>
              <Stat label="audit runs" f={report.audit.runs} />
              <Stat label="findings open" f={report.audit.open} testId="audit-open" />
              <Stat label="new" f={report.audit.new} />
              <Stat label="resolved" f={report.audit.resolved} />
            </div>
          </div>

          <div className={s.section}>
            <Title3 as="h3" block>
              Remote lessons
            </Title3>
            <div className={s.headline}>
              <Stat label="lessons held" f={report.lessons.held} testId="lessons-held" />
              <Stat label={`recorded (${report.lessons.recordedShare ?? '–'}%)`} f={report.lessons.recorded} />
              <Stat label={`announced (${report.lessons.announcedShare ?? '–'}%)`} f={report.lessons.announced} />
            </div>
          </div>

          <div className={s.section}>
            <Title3 as="h3" block>
              Actions the school took
            </Title3>
            <Bars label="Actions the school took" items={report.actions.map((a) => ({ name: a.action, f: a.count }))} />
          </div>

          <div className={s.section}>
            <Title3 as="h3" block>
              Policy reviews
            </Title3>
            {report.reviews.due.length === 0 && report.reviews.done.length === 0 && <Body1>No reviews due or done this half-term.</Body1>}
            <ul>
              {report.reviews.due.map((d) => (
                <li key={d.policyId}>
                  {d.title}: review {d.status} (by {d.reviewBy})
                </li>
              ))}
              {report.reviews.done.map((d) => (
                <li key={`${d.policyId}-${d.reviewedAt}`}>
                  {report.coverage.policies.find((p) => p.policyId === d.policyId)?.title ?? d.policyId}: reviewed {d.reviewedAt.slice(0, 10)},{' '}
                  {d.changed ? 'changed and republished' : 'not changed'};{' '}
                  {d.governorsApprovedOn ? `approved by governors ${d.governorsApprovedOn}` : 'awaiting governors’ approval'}
                </li>
              ))}
            </ul>
            {canRecordReviews && <RecordReviewForm />}
          </div>

          {report.training && (
            <div className={s.section}>
              <Title3 as="h3" block>
                Online-safety training
              </Title3>
              <Table aria-label="Training by group" size="small" className={mergeClasses(s.trainingTable, p.reflow)}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>Who</TableHeaderCell>
                    <TableHeaderCell>Current</TableHeaderCell>
                    <TableHeaderCell>Refresher due soon</TableHeaderCell>
                    <TableHeaderCell>Expired</TableHeaderCell>
                    <TableHeaderCell>No record</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {Object.entries(report.training.counts).map(([who, c]) => (
                    <TableRow key={who}>
                      <TableCell>{who}</TableCell>
                      <TableCell data-label="Current">{c.current}</TableCell>
                      <TableCell data-label="Refresher due soon">{c.expiring}</TableCell>
                      <TableCell data-label="Expired">{c.expired}</TableCell>
                      <TableCell data-label="No record">{c.missing}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
