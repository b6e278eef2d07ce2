import {
  Badge,
  Caption1,
  Body1,
  Button,
  Field,
  Input,
  makeStyles,
  mergeClasses,
  MessageBar,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  Title2,
  Title3,
  tokens,
} from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { download } from '../download';
import { useApi } from '../session';
import { ErrorBar, usePageStyles } from '../ui';

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalXL },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, maxWidth: '720px' },
});

const COLOUR = { missing: 'danger', expired: 'danger', expiring: 'warning', current: 'success' } as const;

/** Policy 002: the head ensures all staff are trained; the DSL facilitates it. Who is missing or due a refresher. */
export function TrainingPage() {
  const api = useApi();
  const queries = useQueryClient();
  const p = usePageStyles();
  const s = useStyles();
  const [csv, setCsv] = useState('upn,course,completedOn,expiresOn,evidenceUrl\n');
  const [message, setMessage] = useState<string>();
  const [one, setOne] = useState({ upn: '', course: 'Online safety (annual)', completedOn: '', evidenceUrl: '' });
  const training = useQuery({ queryKey: ['training'], queryFn: ({ signal }) => api.training(signal) });
  const refresh = () => queries.invalidateQueries({ queryKey: ['training'] });

  const importCsv = useMutation({
    mutationFn: () => api.importTraining(csv),
    onSuccess: (r) => {
      setMessage(
        `${r.imported} imported, ${r.duplicates} already recorded.${r.errors.length ? ` Not imported: ${r.errors.map((e) => `line ${e.line} (${e.message})`).join('; ')}` : ''}`,
      );
      return refresh();
    },
  });
  const recordOne = useMutation({
    mutationFn: () => api.recordTraining(one),
    onSuccess: (r) => {
      setMessage(r.created ? `Recorded for ${one.upn}.` : `${one.upn} already has that course on that date.`);
      setOne({ ...one, upn: '' });
      return refresh();
    },
  });
  const exportCsv = useMutation({ mutationFn: async () => download(await api.trainingCsv(), 'online-safety-training.csv') });

  const people = training.data;
  const needing = people?.filter((person) => person.status !== 'current') ?? [];
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block>
        Online-safety training
      </Title2>
      <ErrorBar error={training.error ?? importCsv.error ?? recordOne.error ?? exportCsv.error} />
      {message && <MessageBar intent="success">{message}</MessageBar>}
      {training.isPending && <Spinner label="Loading training records…" />}
      {people && (
        <>
          <Body1 as="p" block>
            {needing.length} of {people.length} staff and governors have no current record or a refresher due within 30 days.
          </Body1>
          <Button onClick={() => exportCsv.mutate()}>Export (CSV)</Button>
          <Table aria-label="Missing or expiring training" size="small" className={mergeClasses(s.section, p.reflow)}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Group</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
                <TableHeaderCell>Last course</TableHeaderCell>
                <TableHeaderCell>Refresher due</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {needing.slice(0, 200).map((person) => (
                <TableRow key={person.personId}>
                  <TableCell>
                    {person.name}
                    {/* Two people may share a name: the sign-in name tells them apart. */}
                    <Caption1 block>{person.upn}</Caption1>
                  </TableCell>
                  <TableCell data-label="Group">{person.audience}</TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={COLOUR[person.status]}>
                      {person.status}
                    </Badge>
                  </TableCell>
                  <TableCell data-label="Last course">{person.course ?? '–'}</TableCell>
                  <TableCell data-label="Refresher due">{person.expiresOn ?? '–'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
      <form
        className={`${s.form} ${s.section}`}
        aria-label="Record one training session"
        onSubmit={(e) => {
          e.preventDefault();
          recordOne.mutate();
        }}
      >
        <Title3 as="h3">Record one session</Title3>
        <Field label="School email address" required>
          <Input type="email" value={one.upn} onChange={(_, d) => setOne({ ...one, upn: d.value })} />
        </Field>
        <Field label="Course" required>
          <Input value={one.course} onChange={(_, d) => setOne({ ...one, course: d.value })} />
        </Field>
        <Field label="Completed on" required>
          <Input type="date" value={one.completedOn} onChange={(_, d) => setOne({ ...one, completedOn: d.value })} />
        </Field>
        <Field label="Evidence link (certificate or register)">
          <Input type="url" value={one.evidenceUrl} onChange={(_, d) => setOne({ ...one, evidenceUrl: d.value })} />
        </Field>
        <Button type="submit">Record</Button>
      </form>
      <form
        className={`${s.form} ${s.section}`}
        aria-label="Import training records"
        onSubmit={(e) => {
          e.preventDefault();
          importCsv.mutate();
        }}
      >
        <Title3 as="h3">Import from a CSV</Title3>
        <Field label="CSV (columns: upn, course, completedOn, expiresOn, evidenceUrl; dates as YYYY-MM-DD)">
          <Textarea value={csv} onChange={(_, d) => setCsv(d.value)} rows={6} resize="vertical" />
        </Field>
        <Button type="submit" appearance="primary">
          Import
        </Button>
      </form>
    </section>
  );
}
