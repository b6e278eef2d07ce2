import { Badge, Body1, Button, Caption1, Dropdown, Field, Input, Link, MessageBar, Option, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Title2, Title3 } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { download } from '../download';
import { api, type GovernorsRow, type IncidentDetail, type IncidentRow, type PersonChronology } from '../api';

const CATEGORIES = ['all', 'content', 'contact', 'conduct', 'commerce'];
const AGES: Array<[string, number | undefined]> = [['any age', undefined], ['older than a day', 24], ['older than a week', 168]];

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const hoursAgo = (iso: string) => Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 3_600_000));

/** The safeguarding team's queue, one incident's chronology, and the governors' report. */
export function IncidentsPage({ token }: { token: string }) {
  const [status, setStatus] = useState('all');
  const [category, setCategory] = useState('all');
  const [age, setAge] = useState('any age');
  const [person, setPerson] = useState('');
  const [rows, setRows] = useState<IncidentRow[]>();
  const [open, setOpen] = useState<IncidentDetail>();
  const [chronology, setChronology] = useState<PersonChronology>();
  const [governors, setGovernors] = useState<GovernorsRow[]>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const olderThanHours = AGES.find(([label]) => label === age)?.[1];
      setRows(await api.incidents(token, { ...(status !== 'all' ? { status } : {}), ...(category !== 'all' ? { category } : {}), ...(olderThanHours ? { olderThanHours } : {}), ...(person.trim() ? { person: person.trim() } : {}) }));
      setGovernors(await api.governorsReport(token));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [token, status, category, age, person]);

  const showPerson = async (who: { id?: string; name: string }) => {
    try {
      setChronology(await api.personChronology(token, who));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void load(), [load]);

  const downloadCsv = async () => download(await api.governorsReportCsv(token), 'e-safety-incidents-for-governors.csv');

  if (!rows && !error) return <Spinner label="Loading incidents…" />;
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block style={{ marginBottom: 8 }}>Incidents</Title2>
      {error && <MessageBar intent="error">{error}</MessageBar>}
      <div role="search" aria-label="Filter incidents" style={{ display: 'flex', gap: 12, flexWrap: 'wrap', marginBottom: 12 }}>
        <Field label="Status" style={{ minWidth: 160 }}>
          <Dropdown aria-label="Status" value={status} onOptionSelect={(_, d) => setStatus(d.optionValue ?? 'all')}>
            {['all', 'new', 'acknowledged', 'closed'].map((s) => <Option key={s} value={s}>{s}</Option>)}
          </Dropdown>
        </Field>
        <Field label="Category" style={{ minWidth: 160 }}>
          <Dropdown aria-label="Category" value={category} onOptionSelect={(_, d) => setCategory(d.optionValue ?? 'all')}>
            {CATEGORIES.map((c) => <Option key={c} value={c}>{c}</Option>)}
          </Dropdown>
        </Field>
        <Field label="Age" style={{ minWidth: 180 }}>
          <Dropdown aria-label="Age" value={age} onOptionSelect={(_, d) => setAge(d.optionValue ?? 'any age')}>
            {AGES.map(([label]) => <Option key={label} value={label}>{label}</Option>)}
          </Dropdown>
        </Field>
        <Field label="Person named" style={{ minWidth: 200 }}>
          <Input aria-label="Person named" value={person} placeholder="name" onChange={(_, d) => setPerson(d.value)} />
        </Field>
      </div>
      <Table aria-label="Incident queue" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Reported</TableHeaderCell>
            <TableHeaderCell>Concern</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell />
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows?.map((r) => (
            <TableRow key={r.id} data-testid="incident-row">
              <TableCell>{when(r.reportedAt)} ({hoursAgo(r.reportedAt)} h ago)</TableCell>
              <TableCell>
                {r.urgent && <Badge color="danger" style={{ marginRight: 6 }}>urgent</Badge>}
                {r.category} / {r.subCategory.replace(/-/g, ' ')}
              </TableCell>
              <TableCell><Badge appearance="tint" color={r.status === 'new' ? 'warning' : r.status === 'closed' ? 'subtle' : 'brand'}>{r.status}</Badge></TableCell>
              <TableCell><Button size="small" onClick={async () => setOpen(await api.incident(token, r.id))}>Open</Button></TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {rows?.length === 0 && <Body1 block style={{ marginTop: 8 }}>No incidents.</Body1>}

      {open && (
        <article aria-label="Chronology" style={{ marginTop: 20, padding: 16, background: '#fafafa', borderLeft: `6px solid ${open.urgent ? '#b3261e' : '#5b5fc7'}` }}>
          <Title3 as="h3" block>{open.category} / {open.subCategory.replace(/-/g, ' ')} ({open.status})</Title3>
          <Body1 block style={{ margin: '8px 0' }}>{open.whatHappened}</Body1>
          <Caption1 block>
            When: {when(open.when)} · Where: {open.where || 'not given'} · Involved:{' '}
            {open.people.length === 0
              ? 'not given'
              : open.people.map((p, i) => (
                  <span key={`${p.name}${i}`}>
                    {i > 0 && ', '}
                    <Link onClick={() => void showPerson(p)} aria-label={`Chronology of ${p.name}`}>{p.name}</Link> ({p.role})
                  </span>
                ))}
          </Caption1>
          {open.guidance.map((g) => <Text key={g} block style={{ color: '#b3261e', marginTop: 6 }}>{g}</Text>)}
          <Title3 as="h4" block style={{ marginTop: 12 }}>Chronology</Title3>
          <ol>
            <li>{when(open.when)}: reported</li>
            {open.history.map((h, i) => <li key={i}>{when(h.at)}: {h.kind} {h.text}</li>)}
          </ol>
        </article>
      )}

      {chronology && (
        <article aria-label="Person's chronology" style={{ marginTop: 20, padding: 16, background: '#fafafa', borderLeft: '6px solid #5b5fc7' }}>
          <Title3 as="h3" block>{chronology.person.name}: {chronology.incidents} incident{chronology.incidents === 1 ? '' : 's'}</Title3>
          <ol>
            {chronology.entries.map((e, i) => (
              <li key={i}>{when(e.at)}: {e.kind} ({e.category} / {e.subCategory.replace(/-/g, ' ')}) {e.text}</li>
            ))}
          </ol>
        </article>
      )}

      <Title3 as="h3" block style={{ marginTop: 24 }}>Governors’ report</Title3>
      <Caption1 block style={{ marginBottom: 8 }}>Counts by term and kind of concern, and how quickly they were acknowledged and closed. No names.</Caption1>
      <Table aria-label="Governors' report" size="small" style={{ maxWidth: 820 }}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Term</TableHeaderCell>
            <TableHeaderCell>Concern</TableHeaderCell>
            <TableHeaderCell>Incidents</TableHeaderCell>
            <TableHeaderCell>Median hours to acknowledge</TableHeaderCell>
            <TableHeaderCell>Median hours to close</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {governors?.map((g) => (
            <TableRow key={`${g.term}${g.category}${g.subCategory}`}>
              <TableCell>{g.term}</TableCell>
              <TableCell>{g.category} / {g.subCategory.replace(/-/g, ' ')}</TableCell>
              <TableCell>{g.incidents}</TableCell>
              <TableCell>{g.medianHoursToAcknowledge ?? '—'}</TableCell>
              <TableCell>{g.medianHoursToClose ?? '—'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <div style={{ marginTop: 8, display: 'flex', gap: 8 }}>
        <Button onClick={downloadCsv}>Download CSV</Button>
        <Button onClick={() => window.print()}>Print</Button>
      </div>
    </section>
  );
}
