import { Badge, Body1, Button, Caption1, Dropdown, Field, Input, Link, MessageBar, Option, Radio, RadioGroup, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title2, Title3 } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { api, type LessonRow } from '../api';

/** A lesson time in the school's own time zone (what the teacher typed; no zone label). */
const when = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

function recordingBadge(l: LessonRow) {
  if (l.recordingFound === true) return <Badge appearance="tint" color="success">recorded</Badge>;
  if (l.recordingFound === false) return <Badge appearance="tint" color="danger">no recording</Badge>;
  return <Badge appearance="tint" color="subtle">not checked yet</Badge>;
}

/** The teacher's lessons: start one (recorded, announced, inside the school), and see each one's recording. */
export function LessonsPage({ token }: { token: string }) {
  const [classes, setClasses] = useState<Array<{ id: string; displayName: string }>>();
  const [lessons, setLessons] = useState<{ upcoming: LessonRow[]; past: LessonRow[]; timeZone: string }>();
  const [classId, setClassId] = useState('');
  const [title, setTitle] = useState('');
  const [whenChoice, setWhenChoice] = useState<'now' | 'later'>('now');
  const [later, setLater] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [submissionId, setSubmissionId] = useState(() => crypto.randomUUID());
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [warning, setWarning] = useState<string>();

  const load = useCallback(async () => {
    try {
      const [c, l] = await Promise.all([api.lessonClasses(token), api.lessons(token)]);
      setClasses(c);
      setLessons(l);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [token]);
  useEffect(() => void load(), [load]);

  const start = async () => {
    setError(undefined);
    setWarning(undefined);
    try {
      // "Starts" is the school's local time as typed ("2026-11-24T09:00"): the server reads it in the school's zone.
      const r = await api.startLesson(token, { submissionId, classId, title, start: whenChoice === 'now' ? 'now' : later, durationMinutes: Number(minutes) });
      setWarning(r.warning);
      setMessage(`"${r.lesson.title}" is ready: it records automatically and will be announced as recorded.${r.postedToClass ? ' The join link is in the class team.' : ' Share the join link with the class.'}`);
      setSubmissionId(crypto.randomUUID());
      setTitle('');
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!lessons && !error) return <Spinner label="Loading your lessons…" />;
  const className = classes?.find((c) => c.id === classId)?.displayName ?? '';
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block style={{ marginBottom: 8 }}>Lessons</Title2>
      {error && <MessageBar intent="error">{error}</MessageBar>}
      {message && <MessageBar intent="success">{message}</MessageBar>}
      {warning && <MessageBar intent="warning" data-testid="lesson-warning">{warning}</MessageBar>}

      <form aria-label="Start a lesson" onSubmit={(e) => { e.preventDefault(); void start(); }} style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'end', margin: '12px 0 20px' }}>
        <Field label="Class" required>
          <Dropdown aria-label="Class" value={className} placeholder="Choose a class" onOptionSelect={(_, d) => setClassId(d.optionValue ?? '')}>
            {classes?.map((c) => <Option key={c.id} value={c.id}>{c.displayName}</Option>)}
          </Dropdown>
        </Field>
        <Field label="Title" required>
          <Input aria-label="Title" value={title} onChange={(_, d) => setTitle(d.value)} />
        </Field>
        <Field label="When">
          <RadioGroup layout="horizontal" value={whenChoice} onChange={(_, d) => setWhenChoice(d.value as 'now' | 'later')}>
            <Radio value="now" label="Now" />
            <Radio value="later" label="Later" />
          </RadioGroup>
        </Field>
        {whenChoice === 'later' && (
          <Field label="Starts" hint="The school’s time">
            <Input aria-label="Starts" type="datetime-local" value={later} onChange={(_, d) => setLater(d.value)} />
          </Field>
        )}
        <Field label="Minutes">
          <Input aria-label="Minutes" type="number" min={10} max={240} value={minutes} onChange={(_, d) => setMinutes(d.value)} style={{ width: 90 }} />
        </Field>
        <Button appearance="primary" type="submit" disabled={!classId || title.trim().length < 3}>Start the lesson</Button>
      </form>

      <Title3 as="h3" block>Upcoming</Title3>
      {lessons?.upcoming.length === 0 && <Body1 block>No lessons planned.</Body1>}
      <Table aria-label="Upcoming lessons" size="small" style={{ maxWidth: 900 }}>
        <TableHeader><TableRow><TableHeaderCell>Starts</TableHeaderCell><TableHeaderCell>Lesson</TableHeaderCell><TableHeaderCell>Class</TableHeaderCell><TableHeaderCell /></TableRow></TableHeader>
        <TableBody>
          {lessons?.upcoming.map((l) => (
            <TableRow key={l.id} data-testid="upcoming-lesson">
              <TableCell>{when(l.startsAt, lessons.timeZone)}</TableCell>
              <TableCell>{l.title}</TableCell>
              <TableCell>{l.className}</TableCell>
              <TableCell><Link href={l.joinUrl} target="_blank">Join</Link></TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>

      <Title3 as="h3" block style={{ marginTop: 20 }}>Past</Title3>
      <Caption1 block>Every lesson must be recorded: the app checks after each one, and tells you and the IT team if a recording is missing.</Caption1>
      <Table aria-label="Past lessons" size="small" style={{ maxWidth: 900 }}>
        <TableHeader><TableRow><TableHeaderCell>Started</TableHeaderCell><TableHeaderCell>Lesson</TableHeaderCell><TableHeaderCell>Class</TableHeaderCell><TableHeaderCell>Recording</TableHeaderCell></TableRow></TableHeader>
        <TableBody>
          {lessons?.past.map((l) => (
            <TableRow key={l.id} data-testid="past-lesson">
              <TableCell>{when(l.startsAt, lessons.timeZone)}</TableCell>
              <TableCell>{l.title}</TableCell>
              <TableCell>{l.className}</TableCell>
              <TableCell>{recordingBadge(l)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </section>
  );
}
