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
  mergeClasses,
  MessageBar,
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
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AcceptanceStatus, Coverage, PolicySummary } from '../api';
import { download } from '../download';
import { useApi } from '../session';
import { ErrorBar, usePageStyles } from '../ui';

const STATUS_COLOUR: Record<AcceptanceStatus, 'success' | 'warning' | 'danger' | 'subtle'> = {
  accepted: 'success',
  pending: 'warning',
  overdue: 'danger',
  unreachable: 'subtle',
};
/** People per page of the coverage table: a school's 600 students are pages, not one long table. */
const PAGE = 50;

const useStyles = makeStyles({
  counts: { display: 'flex', gap: tokens.spacingHorizontalL, margin: `${tokens.spacingVerticalM} 0`, flexWrap: 'wrap' },
  count: {
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    minWidth: '200px',
  },
  parents: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap', marginBottom: tokens.spacingVerticalM },
  chart: { maxWidth: '100%', height: 'auto' },
  bar: { fill: tokens.colorBrandBackground },
  day: { fill: tokens.colorNeutralForeground3, fontSize: '10px' },
});

/** Acceptances of the current version per day, cumulative, as a small bar chart. */
function AcceptanceChart({ points, total }: { points: Coverage['overTime']; total: number }) {
  const s = useStyles();
  if (points.length === 0) return <Caption1 block>No acceptances yet.</Caption1>;
  const width = 560;
  const height = 120;
  const bar = Math.min(40, width / points.length - 4);
  return (
    <svg
      role="img"
      aria-label={`Acceptances over time: ${points.at(-1)!.accepted} of ${total}`}
      width={width}
      height={height + 20}
      viewBox={`0 0 ${width} ${height + 20}`}
      className={s.chart}
    >
      {points.map((point, i) => {
        const h = total ? (point.accepted / total) * height : 0;
        return (
          <g key={point.day}>
            <rect x={i * (bar + 4)} y={height - h} width={bar} height={h} className={s.bar}>
              <title>{`${point.day}: ${point.accepted}`}</title>
            </rect>
            <text x={i * (bar + 4)} y={height + 14} className={s.day}>
              {point.day.slice(5)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The admin's view: publish a version, and see who has signed which (policy 001: "we have a system so we know who has signed"). `item`: a policy to open. */
export function PoliciesPage({ item: policyId }: { item?: string }) {
  const api = useApi();
  const queries = useQueryClient();
  const p = usePageStyles();
  const s = useStyles();
  const [chosen, setChosen] = useState<string | undefined>(policyId);
  const [status, setStatus] = useState<'all' | AcceptanceStatus>('all');
  const [name, setName] = useState('');
  const [historyOf, setHistoryOf] = useState<{ personId: string; name: string; upn: string }>();
  const [message, setMessage] = useState<string>();
  const [confirming, setConfirming] = useState<PolicySummary>();
  const [page, setPage] = useState(0);

  const policies = useQuery({ queryKey: ['policies'], queryFn: ({ signal }) => api.policies(signal) });
  const selected = chosen ?? policies.data?.[0]?.policyId;
  const coverage = useQuery({ queryKey: ['coverage', selected], queryFn: ({ signal }) => api.coverage(selected!, signal), enabled: !!selected });
  const history = useQuery({
    queryKey: ['acceptances', historyOf?.personId],
    queryFn: ({ signal }) => api.personAcceptances(historyOf!.personId, signal),
    enabled: !!historyOf,
  });
  const refresh = () => Promise.all([queries.invalidateQueries({ queryKey: ['policies'] }), queries.invalidateQueries({ queryKey: ['coverage'] })]);

  const publish = useMutation({
    mutationFn: (policy: PolicySummary) => api.publishPolicy(policy.policyId).then((r) => ({ ...r, policy })),
    onSuccess: (r) => {
      setMessage(
        r.created
          ? `Published version ${r.version} of ${r.policy.title}: ${r.queued} people are being asked to accept it.`
          : `Version ${r.version} is already the current text; nobody was asked twice.`,
      );
      setChosen(r.policy.policyId);
      return refresh();
    },
  });
  const inviteParents = useMutation({
    mutationFn: (id: string) => api.inviteParents(id),
    onSuccess: (r) => {
      setMessage(`${r.queued} parents will be emailed a link to counter-sign.`);
      return refresh();
    },
  });
  const csv = useMutation({ mutationFn: async ({ load, filename }: { load: () => Promise<string>; filename: string }) => download(await load(), filename) });

  if (policies.isPending) return <Spinner label="Loading policies…" />;
  const c = coverage.data;
  const people = (c?.people ?? []).filter(
    (person) => (status === 'all' || person.status === status) && (!name.trim() || person.name.toLowerCase().includes(name.trim().toLowerCase())),
  );
  const total = c?.people.length ?? 0;
  const pages = Math.max(1, Math.ceil(people.length / PAGE));
  const shownPage = Math.min(page, pages - 1);
  const shown = people.slice(shownPage * PAGE, (shownPage + 1) * PAGE);
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block className={p.title}>
        Policies
      </Title2>
      <ErrorBar error={policies.error ?? coverage.error ?? publish.error ?? inviteParents.error ?? history.error ?? csv.error} />
      {message && <MessageBar intent="success">{message}</MessageBar>}
      <Table aria-label="Policies" size="small" className={mergeClasses(p.table, p.gap, p.reflow)}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Policy</TableHeaderCell>
            <TableHeaderCell>For</TableHeaderCell>
            <TableHeaderCell>Published</TableHeaderCell>
            <TableHeaderCell />
          </TableRow>
        </TableHeader>
        <TableBody>
          {policies.data?.map((policy) => (
            <TableRow key={policy.policyId} aria-selected={policy.policyId === selected}>
              <TableCell>
                <Button appearance="transparent" onClick={() => setChosen(policy.policyId)}>
                  {policy.title}
                </Button>
              </TableCell>
              <TableCell data-label="For">{policy.audience.join(', ')}</TableCell>
              <TableCell data-label="Published">
                {policy.latestVersion ? `version ${policy.latestVersion}` : 'not yet'}
                {policy.draftChanged && policy.latestVersion ? ' (text changed since)' : ''}
              </TableCell>
              <TableCell>
                <Button
                  size="small"
                  appearance="primary"
                  disabled={!policy.draftChanged || publish.isPending}
                  onClick={() => setConfirming(policy)}
                  aria-label={`Publish ${policy.title}`}
                >
                  {policy.latestVersion ? `Publish version ${policy.latestVersion + 1}` : 'Publish version 1'}
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>

      {c && (
        <article aria-label="Coverage" className={p.section}>
          <Title3 as="h3" block>
            {c.title}
            {c.version ? `, version ${c.version}` : ''}
          </Title3>
          {c.version === null ? (
            <Body1 block>Not published yet.</Body1>
          ) : (
            <>
              <Caption1 block>
                Published {c.publishedAt?.slice(0, 10)} · deadline {c.deadline?.slice(0, 10) ?? 'none'}
              </Caption1>
              <div className={s.counts}>
                {Object.entries(c.counts).map(([audience, counts]) => (
                  <div key={audience} data-testid="coverage-count" className={s.count}>
                    <Body1 block>
                      <strong>{audience}</strong>
                    </Body1>
                    {(Object.keys(counts) as AcceptanceStatus[]).map((k) => (
                      <Caption1 key={k} block>
                        {k}: {counts[k]}
                      </Caption1>
                    ))}
                  </div>
                ))}
              </div>
              {c.counts.students && (
                <div className={s.parents}>
                  <Body1>
                    {c.parents
                      ? `Parents: ${c.parents.signed} of ${c.parents.invited} children counter-signed.`
                      : 'Parents have not been asked to counter-sign yet.'}
                  </Body1>
                  <Button disabled={inviteParents.isPending} onClick={() => inviteParents.mutate(c.policyId)}>
                    Ask parents to counter-sign
                  </Button>
                </div>
              )}
              <AcceptanceChart points={c.overTime} total={total} />
              <div role="search" aria-label="Filter people" className={p.filters}>
                <Field label="Status">
                  <Dropdown
                    aria-label="Status"
                    value={status}
                    onOptionSelect={(_, d) => {
                      setStatus((d.optionValue as typeof status) ?? 'all');
                      setPage(0);
                    }}
                  >
                    {['all', 'accepted', 'pending', 'overdue', 'unreachable'].map((v) => (
                      <Option key={v} value={v}>
                        {v}
                      </Option>
                    ))}
                  </Dropdown>
                </Field>
                <Field label="Name">
                  <Input
                    aria-label="Name"
                    value={name}
                    onChange={(_, d) => {
                      setName(d.value);
                      setPage(0);
                    }}
                  />
                </Field>
                <Button onClick={() => csv.mutate({ load: () => api.coverageCsv(c.policyId), filename: `${c.policyId}-coverage.csv` })}>Download CSV</Button>
                <Button onClick={() => csv.mutate({ load: () => api.acceptancesCsv(c.policyId), filename: `${c.policyId}-acceptances.csv` })}>
                  Register for inspection (CSV)
                </Button>
              </div>
              <Table aria-label="People" size="small" className={mergeClasses(p.table, p.reflow)}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>Name</TableHeaderCell>
                    <TableHeaderCell>Audience</TableHeaderCell>
                    <TableHeaderCell>Status</TableHeaderCell>
                    <TableHeaderCell>Accepted</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {shown.map((person) => (
                    <TableRow key={person.personId} data-testid="coverage-person">
                      <TableCell>
                        <Button appearance="transparent" onClick={() => setHistoryOf(person)} aria-label={`History of ${person.name} (${person.upn})`}>
                          {person.name}
                        </Button>
                        {/* Two people may share a name: the sign-in name tells them apart. */}
                        <Caption1 block>{person.upn}</Caption1>
                      </TableCell>
                      <TableCell data-label="Audience">{person.audience}</TableCell>
                      <TableCell>
                        <Badge appearance="tint" color={STATUS_COLOUR[person.status]}>
                          {person.status}
                        </Badge>
                      </TableCell>
                      <TableCell>{person.acceptedAt ? `version ${person.acceptedVersion} on ${person.acceptedAt.slice(0, 10)}` : ''}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              {people.length > PAGE && (
                <nav aria-label="Pages of people" className={p.actions}>
                  <Button size="small" disabled={shownPage === 0} onClick={() => setPage(shownPage - 1)}>
                    Previous
                  </Button>
                  <Caption1 data-testid="coverage-page">
                    {shownPage * PAGE + 1}–{Math.min(people.length, (shownPage + 1) * PAGE)} of {people.length}
                  </Caption1>
                  <Button size="small" disabled={shownPage >= pages - 1} onClick={() => setPage(shownPage + 1)}>
                    Next
                  </Button>
                </nav>
              )}
            </>
          )}
        </article>
      )}

      {historyOf && history.data && (
        <article aria-label="Person's history" className={p.panel}>
          <Title3 as="h3" block>
            {historyOf.name} ({historyOf.upn}): acceptances
          </Title3>
          {history.data.length === 0 ? (
            <Body1 block>None yet.</Body1>
          ) : (
            <ol>
              {history.data.map((r) => (
                <li key={`${r.policyId}${r.acceptedAt}`}>
                  {r.acceptedAt.slice(0, 16).replace('T', ' ')}: {r.policyId} version {r.version} ({r.channel}, text {r.textHash.slice(0, 12)}…)
                </li>
              ))}
            </ol>
          )}
        </article>
      )}
      {confirming && (
        <Dialog open onOpenChange={(_, d) => !d.open && setConfirming(undefined)}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>
                Publish version {(confirming.latestVersion ?? 0) + 1} of {confirming.title}?
              </DialogTitle>
              <DialogContent>
                <Body1 block>
                  {confirming.audienceSize === null
                    ? `It goes to everyone in ${confirming.audience.join(', ')}`
                    : `It goes to ${confirming.audienceSize} ${confirming.audienceSize === 1 ? 'person' : 'people'} (${confirming.audience.join(', ')})`}{' '}
                  as a card in Teams chat, and they are reminded until they accept. A published version stays in the register.
                </Body1>
              </DialogContent>
              <DialogActions>
                <Button onClick={() => setConfirming(undefined)}>Cancel</Button>
                <Button
                  appearance="primary"
                  disabled={publish.isPending}
                  onClick={() => {
                    publish.mutate(confirming);
                    setConfirming(undefined);
                  }}
                >
                  {confirming.audienceSize === null ? 'Send it' : `Send to ${confirming.audienceSize} ${confirming.audienceSize === 1 ? 'person' : 'people'}`}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </section>
  );
}
