import { Badge, Body1, Button, Field, Input, makeStyles, MessageBar, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Textarea, Title2, Title3, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { api, type TrainingRow } from '../api';

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalXL },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, maxWidth: '720px' },
});

const COLOUR = { missing: 'danger', expired: 'danger', expiring: 'warning', current: 'success' } as const;

/** Policy 002: the head ensures all staff are trained; the DSL facilitates it. Who is missing or due a refresher. */
export function TrainingPage({ token }: { token: string }) {
  const s = useStyles();
  const [people, setPeople] = useState<TrainingRow[]>();
  const [csv, setCsv] = useState('upn,course,completedOn,expiresOn,evidenceUrl\n');
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [one, setOne] = useState({ upn: '', course: 'Online safety (annual)', completedOn: '', evidenceUrl: '' });
  const load = useCallback(() => void api.training(token).then(setPeople).catch((e: Error) => setError(e.message)), [token]);
  useEffect(load, [load]);

  const importCsv = async () => {
    setError(undefined);
    try {
      const r = await api.importTraining(token, csv);
      setMessage(`${r.imported} imported, ${r.duplicates} already recorded.${r.errors.length ? ` Not imported: ${r.errors.map((e) => `line ${e.line} (${e.message})`).join('; ')}` : ''}`);
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const recordOne = async () => {
    setError(undefined);
    try {
      const r = await api.recordTraining(token, one);
      setMessage(r.created ? `Recorded for ${one.upn}.` : `${one.upn} already has that course on that date.`);
      setOne({ ...one, upn: '' });
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const exportCsv = async () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([await api.trainingCsv(token)], { type: 'text/csv' }));
    a.download = 'online-safety-training.csv';
    a.click();
  };

  const needing = people?.filter((p) => p.status !== 'current') ?? [];
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block>
        Online-safety training
      </Title2>
      {error && <MessageBar intent="error">{error}</MessageBar>}
      {message && <MessageBar intent="success">{message}</MessageBar>}
      {!people && !error && <Spinner label="Loading training records…" />}
      {people && (
        <>
          <Body1 as="p" block>
            {needing.length} of {people.length} staff and governors have no current record or a refresher due within 30 days.
          </Body1>
          <Button onClick={() => void exportCsv()}>Export (CSV)</Button>
          <Table aria-label="Missing or expiring training" size="small" className={s.section}>
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
              {needing.slice(0, 200).map((p) => (
                <TableRow key={p.personId}>
                  <TableCell>{p.name}</TableCell>
                  <TableCell>{p.audience}</TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={COLOUR[p.status]}>
                      {p.status}
                    </Badge>
                  </TableCell>
                  <TableCell>{p.course ?? '–'}</TableCell>
                  <TableCell>{p.expiresOn ?? '–'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
      <form className={`${s.form} ${s.section}`} aria-label="Record one training session" onSubmit={(e) => { e.preventDefault(); void recordOne(); }}>
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
      <form className={`${s.form} ${s.section}`} aria-label="Import training records" onSubmit={(e) => { e.preventDefault(); void importCsv(); }}>
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
