import { Badge, Body1, Button, Caption1, Card, CardHeader, makeStyles, Spinner, Text, Title2, tokens } from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { MyPolicy } from '../api';
import { PolicyText } from '../PolicyText';
import { useApi } from '../session';
import { ErrorBar, usePageStyles } from '../ui';

const useStyles = makeStyles({
  list: { display: 'grid', gap: tokens.spacingVerticalM, maxWidth: '860px' },
  fullText: {
    maxHeight: '360px',
    overflow: 'auto',
    backgroundColor: tokens.colorNeutralBackground2,
    padding: tokens.spacingHorizontalM,
    overflowWrap: 'anywhere',
  },
  clauses: { margin: 0 },
});

/** "My policies": what I have accepted, what is waiting, and the full text to read. `item`: a version to open (a card's link). */
export function MyPoliciesPage({ item: versionId }: { item?: string }) {
  const api = useApi();
  const queries = useQueryClient();
  const p = usePageStyles();
  const s = useStyles();
  const [reading, setReading] = useState<string | undefined>(versionId);
  const policies = useQuery({ queryKey: ['my-policies'], queryFn: ({ signal }) => api.myPolicies(signal) });
  const accept = useMutation({
    mutationFn: (policy: MyPolicy) => api.acceptPolicy(policy.versionId),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['my-policies'] }),
  });

  if (policies.isPending) return <Spinner label="Loading your policies…" />;
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block className={p.title}>
        My policies
      </Title2>
      <ErrorBar error={policies.error ?? accept.error} />
      {policies.data?.length === 0 && <Body1 block>No policy has been published for you yet.</Body1>}
      <div className={s.list}>
        {policies.data?.map((policy) => (
          <Card key={policy.policyId} data-testid="my-policy" aria-label={policy.title}>
            <CardHeader
              header={<Text weight="semibold">{policy.title}</Text>}
              description={
                <Caption1>
                  Version {policy.version}
                  {policy.acceptedAt ? ` · accepted on ${policy.acceptedAt.slice(0, 10)}` : ''}
                </Caption1>
              }
              action={
                <Badge appearance="tint" color={policy.status === 'accepted' ? 'success' : 'warning'}>
                  {policy.status}
                </Badge>
              }
            />
            {reading === policy.versionId ? (
              <div className={s.fullText}>
                <PolicyText text={policy.text} label={`Full text of ${policy.title}`} />
              </div>
            ) : (
              <ol className={s.clauses}>
                {policy.clauses.slice(0, 3).map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ol>
            )}
            <div className={p.actions}>
              <Button onClick={() => setReading(reading === policy.versionId ? undefined : policy.versionId)}>
                {reading === policy.versionId ? 'Hide the full text' : 'Read the full text'}
              </Button>
              {policy.status === 'pending' && (
                <Button appearance="primary" disabled={accept.isPending} onClick={() => accept.mutate(policy)}>
                  I accept
                </Button>
              )}
            </div>
          </Card>
        ))}
      </div>
    </section>
  );
}
