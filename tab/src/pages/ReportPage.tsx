import { Button, Checkbox, Dropdown, Field, Input, MessageBar, Option, Textarea, Title2, Body1 } from '@fluentui/react-components';
import { useState } from 'react';
import { api } from '../api';

const KINDS: Array<[string, string]> = [
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
export function ReportPage({ token }: { token: string }) {
  const [submissionId, setSubmissionId] = useState(() => crypto.randomUUID());
  const [kind, setKind] = useState('');
  const [whatHappened, setWhatHappened] = useState('');
  const [involved, setInvolved] = useState('');
  const [about, setAbout] = useState<'no' | 'staff' | 'headteacher'>('no');
  const [where, setWhere] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const send = async () => {
    const [category, subCategory] = kind.split('/');
    const role = about === 'no' ? 'student' : about;
    const names = involved.split(',').map((n) => n.trim()).filter(Boolean);
    try {
      await api.reportConcern(token, {
        submissionId,
        category,
        subCategory,
        whatHappened,
        when: new Date().toISOString(),
        where,
        illegalOrImmediateRisk: urgent,
        involved: names.length ? names.map((name) => ({ name, role })) : role === 'student' ? [] : [{ name: role === 'headteacher' ? 'the headteacher' : 'a member of staff', role }],
      });
      setResult({ ok: true, text: 'Thank you. Your concern has been passed to the safeguarding team. Please do not discuss it with the people involved.' });
      setSubmissionId(crypto.randomUUID());
      setWhatHappened('');
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
    }
  };
  return (
    <section aria-labelledby="page-title" style={{ maxWidth: 640 }}>
      <Title2 as="h2" id="page-title" block style={{ marginBottom: 8 }}>Report a concern</Title2>
      <Body1 block style={{ marginBottom: 12 }}>It goes to the Designated Safeguarding Lead today. If a child is in immediate danger, call 999 first.</Body1>
      {result && <MessageBar intent={result.ok ? 'success' : 'error'} style={{ marginBottom: 12 }}>{result.text}</MessageBar>}
      <Field label="What kind of concern?" required>
        <Dropdown aria-label="What kind of concern?" placeholder="Choose one" onOptionSelect={(_, d) => setKind(d.optionValue ?? '')}>
          {KINDS.map(([value, label]) => <Option key={value} value={value}>{label}</Option>)}
        </Dropdown>
      </Field>
      <Field label="What happened?" required><Textarea value={whatHappened} onChange={(_, d) => setWhatHappened(d.value)} rows={5} /></Field>
      <Field label="Who is involved? (names, separated by commas)"><Input value={involved} onChange={(_, d) => setInvolved(d.value)} /></Field>
      <Field label="Is the concern about an adult in school?">
        <Dropdown aria-label="Is the concern about an adult in school?" value={{ no: 'No', staff: 'Yes, a member of staff', headteacher: 'Yes, the headteacher' }[about]} onOptionSelect={(_, d) => setAbout((d.optionValue as typeof about) ?? 'no')}>
          <Option value="no">No</Option>
          <Option value="staff">Yes, a member of staff</Option>
          <Option value="headteacher">Yes, the headteacher</Option>
        </Dropdown>
      </Field>
      <Field label="Where?"><Input value={where} onChange={(_, d) => setWhere(d.value)} /></Field>
      <Checkbox checked={urgent} onChange={(_, d) => setUrgent(!!d.checked)} label="Illegal material, or someone at immediate risk" />
      <div style={{ marginTop: 12 }}><Button appearance="primary" onClick={send} disabled={!kind}>Send to the DSL</Button></div>
    </section>
  );
}

/** Students: the Confide button (student AUP). Short, kind, and only the safeguarding team reads it. */
export function ConfidePage({ token }: { token: string }) {
  const [submissionId, setSubmissionId] = useState(() => crypto.randomUUID());
  const [message, setMessage] = useState('');
  const [unsafeNow, setUnsafeNow] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const send = async () => {
    try {
      await api.confide(token, { submissionId, message, unsafeNow });
      setResult({ ok: true, text: 'Thank you for telling us. Someone from the safeguarding team will talk to you soon.' });
      setSubmissionId(crypto.randomUUID());
      setMessage('');
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
    }
  };
  return (
    <section aria-labelledby="page-title" style={{ maxWidth: 560 }}>
      <Title2 as="h2" id="page-title" block style={{ marginBottom: 8 }}>Confide</Title2>
      <Body1 block style={{ marginBottom: 12 }}>Is something online worrying you? Tell us here. Only the school’s safeguarding team will read it.</Body1>
      {result && <MessageBar intent={result.ok ? 'success' : 'error'} style={{ marginBottom: 12 }}>{result.text}</MessageBar>}
      <Field label="What is worrying you?"><Textarea value={message} onChange={(_, d) => setMessage(d.value)} rows={5} /></Field>
      <Checkbox checked={unsafeNow} onChange={(_, d) => setUnsafeNow(!!d.checked)} label="I don't feel safe right now" />
      <div style={{ marginTop: 12 }}><Button appearance="primary" onClick={send} disabled={message.trim().length < 5}>Send</Button></div>
    </section>
  );
}
