import { Button, Dropdown, Field, Input, makeStyles, MessageBar, Option, Switch, Textarea, Title3, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, type ReviewStatus } from '../api';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, maxWidth: '560px', marginTop: tokens.spacingVerticalXL },
});

/**
 * The head records a policy's annual review (policies 001 and 003): changed or not, and the date the
 * governors approved it. A changed policy is republished from its file, so people are asked again.
 */
export function RecordReviewForm({ token, onRecorded }: { token: string; onRecorded: () => void }) {
  const s = useStyles();
  const [reviews, setReviews] = useState<ReviewStatus[]>([]);
  const [policyId, setPolicyId] = useState('');
  const [changed, setChanged] = useState(false);
  const [approvedOn, setApprovedOn] = useState('');
  const [notes, setNotes] = useState('');
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => void api.reviews(token).then(setReviews).catch((e: Error) => setError(e.message)), [token]);

  const submit = async () => {
    setError(undefined);
    setMessage(undefined);
    try {
      const r = await api.recordReview(token, policyId, { changed, governorsApprovedOn: approvedOn || null, notes });
      setMessage(changed ? `Review recorded; version ${r.version} published and people are being asked to accept it.` : 'Review recorded; the next is due in a year.');
      setReviews(await api.reviews(token));
      onRecorded();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const chosen = reviews.find((r) => r.policyId === policyId);
  return (
    <form className={s.form} aria-label="Record a policy review" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <Title3 as="h3" block>
        Record a policy review
      </Title3>
      {error && <MessageBar intent="error">{error}</MessageBar>}
      {message && <MessageBar intent="success">{message}</MessageBar>}
      <Field label="Policy" required hint={chosen ? `Review ${chosen.status}${chosen.reviewBy ? `, by ${chosen.reviewBy} (${chosen.reviewBySource})` : ''}` : undefined}>
        <Dropdown aria-label="Policy" value={chosen?.title ?? ''} selectedOptions={policyId ? [policyId] : []} onOptionSelect={(_, d) => setPolicyId(d.optionValue ?? '')} placeholder="Choose a policy">
          {reviews.map((r) => (
            <Option key={r.policyId} value={r.policyId}>
              {r.title}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Switch label="The policy changed (republish it from the school's file)" checked={changed} onChange={(_, d) => setChanged(d.checked)} />
      <Field label="Approved by governors on">
        <Input type="date" value={approvedOn} onChange={(_, d) => setApprovedOn(d.value)} />
      </Field>
      <Field label="Notes">
        <Textarea value={notes} onChange={(_, d) => setNotes(d.value)} />
      </Field>
      <Button type="submit" appearance="primary" disabled={!policyId}>
        Record the review
      </Button>
    </form>
  );
}
