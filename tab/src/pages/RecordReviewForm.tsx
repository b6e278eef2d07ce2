import { Button, Dropdown, Field, Input, makeStyles, MessageBar, Option, Switch, Textarea, Title3, tokens } from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../session';
import { ErrorBar } from '../ui';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, maxWidth: '560px', marginTop: tokens.spacingVerticalXL },
});

/**
 * The head records a policy's annual review (policies 001 and 003): changed or not, and the date the
 * governors approved it. A changed policy is republished from its file, so people are asked again.
 */
export function RecordReviewForm() {
  const api = useApi();
  const queries = useQueryClient();
  const s = useStyles();
  const reviews = useQuery({ queryKey: ['reviews'], queryFn: ({ signal }) => api.reviews(signal) });
  const [policyId, setPolicyId] = useState('');
  const [changed, setChanged] = useState(false);
  const [approvedOn, setApprovedOn] = useState('');
  const [notes, setNotes] = useState('');
  const record = useMutation({
    mutationFn: () => api.recordReview(policyId, { changed, governorsApprovedOn: approvedOn || null, notes }).then((r) => ({ ...r, changed })),
    // The review list and the governors' report both count this review.
    onSuccess: () => Promise.all([queries.invalidateQueries({ queryKey: ['reviews'] }), queries.invalidateQueries({ queryKey: ['half-term-report'] })]),
  });
  const done = record.data;

  const chosen = reviews.data?.find((r) => r.policyId === policyId);
  return (
    <form
      className={s.form}
      aria-label="Record a policy review"
      onSubmit={(e) => {
        e.preventDefault();
        record.mutate();
      }}
    >
      <Title3 as="h3" block>
        Record a policy review
      </Title3>
      <ErrorBar error={reviews.error ?? record.error} />
      {done && (
        <MessageBar intent="success">
          {done.changed
            ? `Review recorded; version ${done.version} published and people are being asked to accept it.`
            : 'Review recorded; the next is due in a year.'}
        </MessageBar>
      )}
      <Field
        label="Policy"
        required
        hint={chosen ? `Review ${chosen.status}${chosen.reviewBy ? `, by ${chosen.reviewBy} (${chosen.reviewBySource})` : ''}` : undefined}
      >
        <Dropdown
          aria-label="Policy"
          value={chosen?.title ?? ''}
          selectedOptions={policyId ? [policyId] : []}
          onOptionSelect={(_, d) => setPolicyId(d.optionValue ?? '')}
          placeholder="Choose a policy"
        >
          {reviews.data?.map((r) => (
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
      <Button type="submit" appearance="primary" disabled={!policyId || record.isPending}>
        Record the review
      </Button>
    </form>
  );
}
