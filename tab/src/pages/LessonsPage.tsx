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
  MessageBar,
  Option,
  Radio,
  RadioGroup,
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
import type { Lesson } from '../api';
import { useApi } from '../session';
import { ErrorBar, usePageStyles } from '../ui';

const useStyles = makeStyles({
  form: {
    display: 'flex',
    gap: tokens.spacingHorizontalM,
    flexWrap: 'wrap',
    alignItems: 'end',
    margin: `${tokens.spacingVerticalM} 0 ${tokens.spacingVerticalXL}`,
  },
  minutes: { width: '90px' },
});

/** A lesson time in the school's own time zone (what the teacher typed; no zone label). */
const when = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));

function recordingBadge(l: Lesson) {
  if (l.recordingFound === true)
    return (
      <Badge appearance="tint" color="success">
        recorded
      </Badge>
    );
  if (l.recordingFound === false)
    return (
      <Badge appearance="tint" color="danger">
        no recording
      </Badge>
    );
  return (
    <Badge appearance="tint" color="subtle">
      not checked yet
    </Badge>
  );
}

/** The teacher's lessons: start one (recorded, announced, inside the school), and see each one's recording. */
export function LessonsPage() {
  const api = useApi();
  const queries = useQueryClient();
  const p = usePageStyles();
  const s = useStyles();
  const classes = useQuery({ queryKey: ['lesson-classes'], queryFn: ({ signal }) => api.lessonClasses(signal) });
  const lessons = useQuery({ queryKey: ['lessons'], queryFn: ({ signal }) => api.lessons(signal) });
  const [classId, setClassId] = useState('');
  const [title, setTitle] = useState('');
  const [whenChoice, setWhenChoice] = useState<'now' | 'later'>('now');
  const [later, setLater] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [submissionId, setSubmissionId] = useState(() => crypto.randomUUID());

  const start = useMutation({
    // "Starts" is the school's local time as typed ("2026-11-24T09:00"): the server reads it in the school's zone.
    mutationFn: () => api.startLesson({ submissionId, classId, title, start: whenChoice === 'now' ? 'now' : later, durationMinutes: Number(minutes) }),
    onSuccess: () => {
      setSubmissionId(crypto.randomUUID());
      setTitle('');
      return queries.invalidateQueries({ queryKey: ['lessons'] });
    },
  });
  const started = start.data;

  if (lessons.isPending) return <Spinner label="Loading your lessons…" />;
  const timeZone = lessons.data?.timeZone ?? 'UTC';
  const className = classes.data?.find((c) => c.id === classId)?.displayName ?? '';
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block className={p.title}>
        Lessons
      </Title2>
      <ErrorBar error={lessons.error ?? classes.error ?? start.error} />
      {started && (
        <MessageBar intent="success">
          {`"${started.lesson.title}" is ready: it records automatically and will be announced as recorded.${started.postedToClass ? ' The join link is in the class team.' : ' Share the join link with the class.'}`}
        </MessageBar>
      )}
      {started?.warning && (
        <MessageBar intent="warning" data-testid="lesson-warning">
          {started.warning}
        </MessageBar>
      )}

      <form
        aria-label="Start a lesson"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
        className={s.form}
      >
        <Field label="Class" required>
          <Dropdown aria-label="Class" value={className} placeholder="Choose a class" onOptionSelect={(_, d) => setClassId(d.optionValue ?? '')}>
            {classes.data?.map((c) => (
              <Option key={c.id} value={c.id}>
                {c.displayName}
              </Option>
            ))}
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
          <Input aria-label="Minutes" type="number" min={10} max={240} value={minutes} onChange={(_, d) => setMinutes(d.value)} className={s.minutes} />
        </Field>
        <Button appearance="primary" type="submit" disabled={!classId || title.trim().length < 3 || start.isPending}>
          Start the lesson
        </Button>
      </form>

      <Title3 as="h3" block>
        Upcoming
      </Title3>
      {lessons.data?.upcoming.length === 0 && <Body1 block>No lessons planned.</Body1>}
      <Table aria-label="Upcoming lessons" size="small" className={mergeClasses(p.table, p.reflow)}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Starts</TableHeaderCell>
            <TableHeaderCell>Lesson</TableHeaderCell>
            <TableHeaderCell>Class</TableHeaderCell>
            <TableHeaderCell />
          </TableRow>
        </TableHeader>
        <TableBody>
          {lessons.data?.upcoming.map((l) => (
            <TableRow key={l.id} data-testid="upcoming-lesson">
              <TableCell data-label="Starts">{when(l.startsAt, timeZone)}</TableCell>
              <TableCell data-label="Lesson">{l.title}</TableCell>
              <TableCell data-label="Class">{l.className}</TableCell>
              <TableCell>
                <Link href={l.joinUrl} target="_blank">
                  Join
                </Link>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>

      <Title3 as="h3" block className={p.section}>
        Past
      </Title3>
      <Caption1 block>Every lesson must be recorded: the app checks after each one, and tells you and the IT team if a recording is missing.</Caption1>
      <Table aria-label="Past lessons" size="small" className={mergeClasses(p.table, p.reflow)}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Started</TableHeaderCell>
            <TableHeaderCell>Lesson</TableHeaderCell>
            <TableHeaderCell>Class</TableHeaderCell>
            <TableHeaderCell>Recording</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {lessons.data?.past.map((l) => (
            <TableRow key={l.id} data-testid="past-lesson">
              <TableCell data-label="Started">{when(l.startsAt, timeZone)}</TableCell>
              <TableCell data-label="Lesson">{l.title}</TableCell>
              <TableCell data-label="Class">{l.className}</TableCell>
              <TableCell>{recordingBadge(l)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </section>
  );
}
