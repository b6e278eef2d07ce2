import { Body1, Button, Checkbox, Dropdown, Field, Input, makeStyles, MessageBar, Option, Textarea, Title2, tokens } from '@fluentui/react-components';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { Category, SubCategory } from '../api';
import { useApi } from '../session';
import { usePageStyles } from '../ui';

const useStyles = makeStyles({
  report: { maxWidth: '640px' },
  confide: { maxWidth: '560px' },
  result: { marginBottom: tokens.spacingVerticalM },
  send: { marginTop: tokens.spacingVerticalM },
});

/** What the person sees after sending: thanks, or the server's reason. */
function Result({ sent, error, thanks }: { sent: boolean; error: Error | null; thanks: string }) {
  const s = useStyles();
  if (error)
    return (
      <MessageBar intent="error" className={s.result}>
        {error.message}
      </MessageBar>
    );
  return sent ? (
    <MessageBar intent="success" className={s.result}>
      {thanks}
    </MessageBar>
  ) : null;
}

const KINDS: Array<[`${Category}/${SubCategory}`, string]> = [
  ['content/inappropriate-content', 'Content: inappropriate content'],
  ['content/radicalisation', 'Content: radicalisation'],
  ['content/filtering-failure', 'Content: filtering failure'],
  ['contact/grooming', 'Contact: grooming'],
  ['contact/sexting-sgii', 'Contact: sexting / SGII'],
  ['conduct/cyberbullying', 'Conduct: cyberbullying'],
  ['conduct/misuse-of-equipment', 'Conduct: misuse of equipment'],
  ['conduct/staff-misuse', 'Conduct: staff misuse'],
  ['conduct/data-breach', 'Conduct: data breach'],
  ['commerce/scam-or-fraud', 'Commerce: scam or fraud'],
  ['conduct/not-sure', 'Not sure'],
];

/** Staff report a concern to the DSL the same day (policy 002 "Handling Incidents"). */
export function ReportPage() {
  const api = useApi();
  const p = usePageStyles();
  const s = useStyles();
  const [submissionId, setSubmissionId] = useState(() => crypto.randomUUID());
  const [kind, setKind] = useState<(typeof KINDS)[number][0]>();
  const [whatHappened, setWhatHappened] = useState('');
  const [involved, setInvolved] = useState('');
  const [about, setAbout] = useState<'no' | 'staff' | 'headteacher'>('no');
  const [where, setWhere] = useState('');
  const [urgent, setUrgent] = useState(false);
  const send = useMutation({
    mutationFn: () => {
      const [category, subCategory] = kind!.split('/') as [Category, SubCategory];
      const names = involved
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      return api.reportConcern({
        submissionId,
        category,
        subCategory,
        whatHappened,
        when: new Date().toISOString(),
        where,
        illegalOrImmediateRisk: urgent,
        // "About the headteacher" adds the head; the server recognises each name in the directory.
        involved: [
          ...names.map((name) => ({ name, role: about === 'staff' ? ('staff' as const) : ('student' as const) })),
          ...(about === 'headteacher' ? [{ name: 'the headteacher', role: 'headteacher' as const }] : []),
          ...(about === 'staff' && !names.length ? [{ name: 'a member of staff', role: 'staff' as const }] : []),
        ],
      });
    },
    onSuccess: () => {
      setSubmissionId(crypto.randomUUID());
      setWhatHappened('');
    },
  });
  return (
    <section aria-labelledby="page-title" className={s.report}>
      <Title2 as="h2" id="page-title" block className={p.title}>
        Report a concern
      </Title2>
      <Body1 block className={p.lead}>
        It goes to the Designated Safeguarding Lead today. If a child is in immediate danger, call 999 first.
      </Body1>
      <Result
        sent={send.isSuccess}
        error={send.error}
        thanks="Thank you. Your concern has been passed to the safeguarding team. Please do not discuss it with the people involved."
      />
      <Field label="What kind of concern?" required>
        <Dropdown
          aria-label="What kind of concern?"
          placeholder="Choose one"
          onOptionSelect={(_, d) => setKind(KINDS.find(([value]) => value === d.optionValue)?.[0])}
        >
          {KINDS.map(([value, label]) => (
            <Option key={value} value={value}>
              {label}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label="What happened?" required>
        <Textarea value={whatHappened} onChange={(_, d) => setWhatHappened(d.value)} rows={5} />
      </Field>
      <Field label="Who is involved? (names, separated by commas)">
        <Input value={involved} onChange={(_, d) => setInvolved(d.value)} />
      </Field>
      <Field label="Is the concern about an adult in school?">
        <Dropdown
          aria-label="Is the concern about an adult in school?"
          value={{ no: 'No', staff: 'Yes, a member of staff', headteacher: 'Yes, the headteacher' }[about]}
          onOptionSelect={(_, d) => setAbout((d.optionValue as typeof about) ?? 'no')}
        >
          <Option value="no">No</Option>
          <Option value="staff">Yes, a member of staff</Option>
          <Option value="headteacher">Yes, the headteacher</Option>
        </Dropdown>
      </Field>
      <Field label="Where?">
        <Input value={where} onChange={(_, d) => setWhere(d.value)} />
      </Field>
      <Checkbox checked={urgent} onChange={(_, d) => setUrgent(!!d.checked)} label="Illegal material, or someone at immediate risk" />
      <div className={s.send}>
        <Button appearance="primary" onClick={() => send.mutate()} disabled={!kind || send.isPending}>
          Send to the DSL
        </Button>
      </div>
    </section>
  );
}

/** Students: the Confide button (student AUP). Short, kind, and only the safeguarding team reads it. */
export function ConfidePage() {
  const api = useApi();
  const p = usePageStyles();
  const s = useStyles();
  const [submissionId, setSubmissionId] = useState(() => crypto.randomUUID());
  const [message, setMessage] = useState('');
  const [unsafeNow, setUnsafeNow] = useState(false);
  const send = useMutation({
    mutationFn: () => api.confide({ submissionId, message, unsafeNow }),
    onSuccess: () => {
      setSubmissionId(crypto.randomUUID());
      setMessage('');
    },
  });
  return (
    <section aria-labelledby="page-title" className={s.confide}>
      <Title2 as="h2" id="page-title" block className={p.title}>
        Confide
      </Title2>
      <Body1 block className={p.lead}>
        Is something online worrying you? Tell us here. Only the school’s safeguarding team will read it.
      </Body1>
      <Result sent={send.isSuccess} error={send.error} thanks="Thank you for telling us. Someone from the safeguarding team will talk to you soon." />
      <Field label="What is worrying you?">
        <Textarea value={message} onChange={(_, d) => setMessage(d.value)} rows={5} />
      </Field>
      <Checkbox checked={unsafeNow} onChange={(_, d) => setUnsafeNow(!!d.checked)} label="I don't feel safe right now" />
      <div className={s.send}>
        <Button appearance="primary" onClick={() => send.mutate()} disabled={message.trim().length < 5 || send.isPending}>
          Send
        </Button>
      </div>
    </section>
  );
}
