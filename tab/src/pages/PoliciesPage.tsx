import { Badge, Body1, Button, Caption1, Dropdown, Field, Input, MessageBar, Option, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title2, Title3 } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { api, type AcceptanceRecord, type AcceptanceStatus, type Coverage, type PolicySummary } from '../api';
import { download } from '../download';

const STATUS_COLOUR: Record<AcceptanceStatus, 'success' | 'warning' | 'danger' | 'subtle'> = { accepted: 'success', pending: 'warning', overdue: 'danger', unreachable: 'subtle' };

/** Acceptances of the current version per day, cumulative, as a small bar chart. */
function AcceptanceChart({ points, total }: { points: Coverage['overTime']; total: number }) {
  if (points.length === 0) return <Caption1 block>No acceptances yet.</Caption1>;
  const width = 560;
  const height = 120;
  const bar = Math.min(40, width / points.length - 4);
  return (
    <svg role="img" aria-label={`Acceptances over time: ${points.at(-1)!.accepted} of ${total}`} width={width} height={height + 20}>
      {points.map((p, i) => {
        const h = total ? (p.accepted / total) * height : 0;
        return (
          <g key={p.day}>
            <rect x={i * (bar + 4)} y={height - h} width={bar} height={h} fill="#5b5fc7"><title>{`${p.day}: ${p.accepted}`}</title></rect>
            <text x={i * (bar + 4)} y={height + 14} fontSize="10">{p.day.slice(5)}</text>
          </g>
        );
      })}
    </svg>
  );
}

/** The admin's view: publish a version, and see who has signed which (policy 001: "we have a system so we know who has signed"). */
export function PoliciesPage({ token, policyId }: { token: string; policyId?: string }) {
  const [policies, setPolicies] = useState<PolicySummary[]>();
  const [selected, setSelected] = useState<string | undefined>(policyId);
  const [coverage, setCoverage] = useState<Coverage>();
  const [status, setStatus] = useState<'all' | AcceptanceStatus>('all');
  const [name, setName] = useState('');
  const [history, setHistory] = useState<{ name: string; records: AcceptanceRecord[] }>();
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const list = await api.policies(token);
      setPolicies(list);
      const current = selected ?? list[0]?.policyId;
      if (current) {
        setSelected(current);
        setCoverage(await api.coverage(token, current));
      }
    } catch (e) {
      setError((e as Error).message);
    }
  }, [token, selected]);
  useEffect(() => void load(), [load]);

  const publish = async (p: PolicySummary) => {
    try {
      const r = await api.publishPolicy(token, p.policyId);
      setMessage(r.created ? `Published version ${r.version} of ${p.title}: ${r.queued} people are being asked to accept it.` : `Version ${r.version} is already the current text; nobody was asked twice.`);
      setSelected(p.policyId);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!policies && !error) return <Spinner label="Loading policies…" />;
  const people = (coverage?.people ?? []).filter((p) => (status === 'all' || p.status === status) && (!name.trim() || p.name.toLowerCase().includes(name.trim().toLowerCase())));
  const total = coverage?.people.length ?? 0;
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block style={{ marginBottom: 8 }}>Policies</Title2>
      {error && <MessageBar intent="error">{error}</MessageBar>}
      {message && <MessageBar intent="success">{message}</MessageBar>}
      <Table aria-label="Policies" size="small" style={{ maxWidth: 900, marginTop: 8 }}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Policy</TableHeaderCell>
            <TableHeaderCell>For</TableHeaderCell>
            <TableHeaderCell>Published</TableHeaderCell>
            <TableHeaderCell />
          </TableRow>
        </TableHeader>
        <TableBody>
          {policies?.map((p) => (
            <TableRow key={p.policyId} aria-selected={p.policyId === selected}>
              <TableCell><Button appearance="transparent" onClick={() => setSelected(p.policyId)}>{p.title}</Button></TableCell>
              <TableCell>{p.audience.join(', ')}</TableCell>
              <TableCell>{p.latestVersion ? `version ${p.latestVersion}` : 'not yet'}{p.draftChanged && p.latestVersion ? ' (text changed since)' : ''}</TableCell>
              <TableCell>
                <Button size="small" appearance="primary" disabled={!p.draftChanged} onClick={() => void publish(p)} aria-label={`Publish ${p.title}`}>
                  {p.latestVersion ? `Publish version ${p.latestVersion + 1}` : 'Publish version 1'}
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>

      {coverage && (
        <article aria-label="Coverage" style={{ marginTop: 20 }}>
          <Title3 as="h3" block>{coverage.title}{coverage.version ? `, version ${coverage.version}` : ''}</Title3>
          {coverage.version === null ? (
            <Body1 block>Not published yet.</Body1>
          ) : (
            <>
              <Caption1 block>Published {coverage.publishedAt?.slice(0, 10)} · deadline {coverage.deadline?.slice(0, 10) ?? 'none'}</Caption1>
              <div style={{ display: 'flex', gap: 16, margin: '12px 0', flexWrap: 'wrap' }}>
                {Object.entries(coverage.counts).map(([audience, c]) => (
                  <div key={audience} data-testid="coverage-count" style={{ padding: 12, border: '1px solid #e0e0e0', borderRadius: 6, minWidth: 200 }}>
                    <Body1 block><strong>{audience}</strong></Body1>
                    {(Object.keys(c) as AcceptanceStatus[]).map((s) => <Caption1 key={s} block>{s}: {c[s]}</Caption1>)}
                  </div>
                ))}
              </div>
              {coverage.counts.students && (
                <div style={{ display: 'flex', gap: 12, alignItems: 'center', marginBottom: 12 }}>
                  <Body1>{coverage.parents ? `Parents: ${coverage.parents.signed} of ${coverage.parents.invited} children counter-signed.` : 'Parents have not been asked to counter-sign yet.'}</Body1>
                  <Button
                    onClick={async () => {
                      try {
                        const r = await api.inviteParents(token, coverage.policyId);
                        setMessage(`${r.queued} parents will be emailed a link to counter-sign.`);
                        await load();
                      } catch (e) {
                        setError((e as Error).message);
                      }
                    }}
                  >
                    Ask parents to counter-sign
                  </Button>
                </div>
              )}
              <AcceptanceChart points={coverage.overTime} total={total} />
              <div role="search" aria-label="Filter people" style={{ display: 'flex', gap: 12, margin: '12px 0', alignItems: 'end' }}>
                <Field label="Status">
                  <Dropdown aria-label="Status" value={status} onOptionSelect={(_, d) => setStatus((d.optionValue as typeof status) ?? 'all')}>
                    {['all', 'accepted', 'pending', 'overdue', 'unreachable'].map((s) => <Option key={s} value={s}>{s}</Option>)}
                  </Dropdown>
                </Field>
                <Field label="Name">
                  <Input aria-label="Name" value={name} onChange={(_, d) => setName(d.value)} />
                </Field>
                <Button onClick={async () => download(await api.coverageCsv(token, coverage.policyId), `${coverage.policyId}-coverage.csv`)}>Download CSV</Button>
                <Button onClick={async () => download(await api.acceptancesCsv(token, coverage.policyId), `${coverage.policyId}-acceptances.csv`)}>Register for inspection (CSV)</Button>
              </div>
              <Table aria-label="People" size="small" style={{ maxWidth: 900 }}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>Name</TableHeaderCell>
                    <TableHeaderCell>Audience</TableHeaderCell>
                    <TableHeaderCell>Status</TableHeaderCell>
                    <TableHeaderCell>Accepted</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {people.slice(0, 300).map((p) => (
                    <TableRow key={p.personId} data-testid="coverage-person">
                      <TableCell>
                        <Button appearance="transparent" onClick={async () => setHistory({ name: p.name, records: await api.personAcceptances(token, p.personId) })} aria-label={`History of ${p.name}`}>{p.name}</Button>
                      </TableCell>
                      <TableCell>{p.audience}</TableCell>
                      <TableCell><Badge appearance="tint" color={STATUS_COLOUR[p.status]}>{p.status}</Badge></TableCell>
                      <TableCell>{p.acceptedAt ? `version ${p.acceptedVersion} on ${p.acceptedAt.slice(0, 10)}` : ''}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              {people.length > 300 && <Caption1 block>Showing 300 of {people.length}: filter, or download the CSV.</Caption1>}
            </>
          )}
        </article>
      )}

      {history && (
        <article aria-label="Person's history" style={{ marginTop: 20, padding: 16, background: '#fafafa' }}>
          <Title3 as="h3" block>{history.name}: acceptances</Title3>
          {history.records.length === 0 ? <Body1 block>None yet.</Body1> : (
            <ol>{history.records.map((r) => <li key={`${r.policyId}${r.acceptedAt}`}>{r.acceptedAt.slice(0, 16).replace('T', ' ')}: {r.policyId} version {r.version} ({r.channel}, text {r.textHash.slice(0, 12)}…)</li>)}</ol>
          )}
        </article>
      )}
    </section>
  );
}
