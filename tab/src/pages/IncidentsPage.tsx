import {
  Badge,
  Body1,
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  Link,
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
  Text,
  Title2,
  Title3,
} from '@fluentui/react-components';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { download } from '../download';
import { useApi, useMe } from '../session';
import { IncidentActions } from './IncidentActions';
import { useDebouncedValue } from '../use-debounced-value';
import { ErrorBar, usePageStyles } from '../ui';

const CATEGORIES = ['all', 'content', 'contact', 'conduct', 'commerce'];
const AGES: Array<[string, number | undefined]> = [
  ['any age', undefined],
  ['older than a day', 24],
  ['older than a week', 168],
];

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const hoursAgo = (iso: string) => Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 3_600_000));
const kindOf = (x: { category: string; subCategory: string }) => `${x.category} / ${x.subCategory.replace(/-/g, ' ')}`;
const STATUS_LABEL: Record<string, string> = { new: 'New', acknowledged: 'Acknowledged', closed: 'Closed' };
const statusLabel = (status: string) => STATUS_LABEL[status] ?? status;

const useStyles = makeStyles({
  filter: { minWidth: '160px' },
  governors: { maxWidth: '820px' },
});

/**
 * The safeguarding team's queue, one incident's chronology, and the governors' report. The head and
 * the chair of governors see only the incidents sent to them (policy 002: staff misuse to the head, a
 * concern about the head to the chair), and act on them as the DSL does.
 */
export function IncidentsPage() {
  const api = useApi();
  const team = useMe().person.roles.includes('safeguarding');
  const p = usePageStyles();
  const s = useStyles();
  const [status, setStatus] = useState('all');
  const [category, setCategory] = useState('all');
  const [age, setAge] = useState('any age');
  const [person, setPerson] = useState('');
  const [openId, setOpenId] = useState<string>();
  const [who, setWho] = useState<{ id?: string; name: string }>();

  // The name box asks the server once the typing pauses; the other filters at once.
  const named = useDebouncedValue(person.trim());
  const olderThanHours = AGES.find(([label]) => label === age)?.[1];
  const filter = {
    ...(status !== 'all' ? { status } : {}),
    ...(category !== 'all' ? { category } : {}),
    ...(olderThanHours ? { olderThanHours } : {}),
    ...(named ? { person: named } : {}),
  };
  const queue = useQuery({ queryKey: ['incidents', filter], queryFn: ({ signal }) => api.incidents(filter, signal), placeholderData: keepPreviousData });
  const governors = useQuery({ queryKey: ['governors-report'], queryFn: ({ signal }) => api.governorsReport(signal), enabled: team });
  const open = useQuery({ queryKey: ['incident', openId], queryFn: ({ signal }) => api.incident(openId!, signal), enabled: !!openId });
  const chronology = useQuery({ queryKey: ['chronology', who], queryFn: ({ signal }) => api.personChronology(who!, signal), enabled: !!who });

  const downloadCsv = async () => download(await api.governorsReportCsv(), 'e-safety-incidents-for-governors.csv');

  if (queue.isPending) return <Spinner label="Loading incidents…" />;
  const incident = open.data;
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block className={p.title}>
        {team ? 'Incidents' : 'Incidents sent to you'}
      </Title2>
      {!team && (
        <Body1 block className={p.lead}>
          Concerns the school’s policy sends to you. You see only these, and act on them as the DSL does.
        </Body1>
      )}
      <ErrorBar error={queue.error ?? governors.error ?? open.error ?? chronology.error} />
      <div role="search" aria-label="Filter incidents" className={p.filters}>
        <Field label="Status" className={s.filter}>
          <Dropdown aria-label="Status" value={status} onOptionSelect={(_, d) => setStatus(d.optionValue ?? 'all')}>
            {['all', 'new', 'acknowledged', 'closed'].map((v) => (
              <Option key={v} value={v}>
                {v === 'all' ? 'all' : statusLabel(v)}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Category" className={s.filter}>
          <Dropdown aria-label="Category" value={category} onOptionSelect={(_, d) => setCategory(d.optionValue ?? 'all')}>
            {CATEGORIES.map((c) => (
              <Option key={c} value={c}>
                {c}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Age" className={s.filter}>
          <Dropdown aria-label="Age" value={age} onOptionSelect={(_, d) => setAge(d.optionValue ?? 'any age')}>
            {AGES.map(([label]) => (
              <Option key={label} value={label}>
                {label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Person named" className={s.filter}>
          <Input aria-label="Person named" value={person} placeholder="name" onChange={(_, d) => setPerson(d.value)} />
        </Field>
      </div>
      <Table aria-label="Incident queue" size="small" className={p.reflow}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Reported</TableHeaderCell>
            <TableHeaderCell>Concern</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell />
          </TableRow>
        </TableHeader>
        <TableBody>
          {queue.data?.map((r) => (
            <TableRow key={r.id} data-testid="incident-row">
              <TableCell data-label="Reported">
                {when(r.reportedAt)} ({hoursAgo(r.reportedAt)} h ago)
              </TableCell>
              <TableCell>
                {r.urgent && (
                  <Badge color="danger" className={p.badgeGap}>
                    urgent
                  </Badge>
                )}
                {kindOf(r)}
              </TableCell>
              <TableCell>
                <Badge appearance="tint" color={r.status === 'new' ? 'warning' : r.status === 'closed' ? 'subtle' : 'brand'}>
                  {statusLabel(r.status)}
                </Badge>
              </TableCell>
              <TableCell>
                <Button size="small" onClick={() => setOpenId(r.id)}>
                  Open
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {queue.data?.length === 0 && (
        <Body1 block className={p.gap}>
          No incidents.
        </Body1>
      )}

      {incident && (
        <article aria-label="Chronology" className={mergeClasses(p.panel, incident.urgent && p.urgentPanel)}>
          <Title3 as="h3" block>
            {kindOf(incident)} ({statusLabel(incident.status)})
          </Title3>
          <Body1 block className={p.gap}>
            {incident.whatHappened}
          </Body1>
          <Caption1 block className={p.gap}>
            When: {when(incident.when)} · Where: {incident.where || 'not given'} · Involved:{' '}
            {incident.people.length === 0
              ? 'not given'
              : incident.people.map((person, i) => (
                  <span key={`${person.name}${i}`}>
                    {i > 0 && ', '}
                    {team ? (
                      <Link onClick={() => setWho({ ...(person.id ? { id: person.id } : {}), name: person.name })} aria-label={`Chronology of ${person.name}`}>
                        {person.name}
                      </Link>
                    ) : (
                      person.name
                    )}{' '}
                    ({person.role})
                  </span>
                ))}
          </Caption1>
          {incident.guidance.map((g) => (
            <Text key={g} block className={p.warning}>
              {g}
            </Text>
          ))}
          <Title3 as="h4" block className={p.gap}>
            Chronology
          </Title3>
          <ol>
            <li>{when(incident.when)}: Reported</li>
            {incident.history.map((h, i) => (
              <li key={i}>
                {when(h.at)}: {h.label} {h.text}
              </li>
            ))}
          </ol>
          <IncidentActions incident={incident} />
        </article>
      )}

      {chronology.data && (
        <article aria-label="Person's chronology" className={p.panel}>
          <Title3 as="h3" block>
            {chronology.data.person.name}: {chronology.data.incidents} incident{chronology.data.incidents === 1 ? '' : 's'}
          </Title3>
          <ol>
            {chronology.data.entries.map((e, i) => (
              <li key={i}>
                {when(e.at)}: {e.label} ({kindOf(e)}) {e.text}
              </li>
            ))}
          </ol>
        </article>
      )}

      {team && (
        <>
          <Title3 as="h3" block className={p.section}>
            Governors’ report
          </Title3>
          <Caption1 block className={p.lead}>
            Counts by term and kind of concern, and how quickly they were acknowledged and closed. No names.
          </Caption1>
          <Table aria-label="Governors' report" size="small" className={mergeClasses(s.governors, p.reflow)}>
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
              {governors.data?.map((g) => (
                <TableRow key={`${g.term}${g.category}${g.subCategory}`}>
                  <TableCell data-label="Term">{g.term}</TableCell>
                  <TableCell data-label="Concern">{kindOf(g)}</TableCell>
                  <TableCell data-label="Incidents">{g.incidents}</TableCell>
                  <TableCell data-label="Median hours to acknowledge">{g.medianHoursToAcknowledge ?? '—'}</TableCell>
                  <TableCell data-label="Median hours to close">{g.medianHoursToClose ?? '—'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div className={p.actions}>
            <Button onClick={downloadCsv}>Download CSV</Button>
            <Button onClick={() => window.print()}>Print</Button>
          </div>
        </>
      )}
    </section>
  );
}
