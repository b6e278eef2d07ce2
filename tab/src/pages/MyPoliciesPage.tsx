import { Badge, Body1, Button, Caption1, Card, CardHeader, MessageBar, Spinner, Text, Title2 } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { api, type MyPolicy } from '../api';

/** "My policies": what I have accepted, what is waiting, and the full text to read. */
export function MyPoliciesPage({ token, versionId }: { token: string; versionId?: string }) {
  const [policies, setPolicies] = useState<MyPolicy[]>();
  const [reading, setReading] = useState<string | undefined>(versionId);
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      setPolicies(await api.myPolicies(token));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [token]);
  useEffect(() => void load(), [load]);

  const accept = async (p: MyPolicy) => {
    try {
      await api.acceptPolicy(token, p.versionId);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!policies && !error) return <Spinner label="Loading your policies…" />;
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block style={{ marginBottom: 12 }}>My policies</Title2>
      {error && <MessageBar intent="error">{error}</MessageBar>}
      {policies?.length === 0 && <Body1 block>No policy has been published for you yet.</Body1>}
      <div style={{ display: 'grid', gap: 12, maxWidth: 860 }}>
        {policies?.map((p) => (
          <Card key={p.policyId} data-testid="my-policy" aria-label={p.title}>
            <CardHeader
              header={<Text weight="semibold">{p.title}</Text>}
              description={<Caption1>Version {p.version}{p.acceptedAt ? ` · accepted on ${p.acceptedAt.slice(0, 10)}` : ''}</Caption1>}
              action={<Badge appearance="tint" color={p.status === 'accepted' ? 'success' : 'warning'}>{p.status}</Badge>}
            />
            {reading === p.versionId ? (
              <article aria-label={`Full text of ${p.title}`} style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', maxHeight: 360, overflow: 'auto', background: '#fafafa', padding: 12 }}>{p.text}</article>
            ) : (
              <ol style={{ margin: 0 }}>{p.clauses.slice(0, 3).map((c) => <li key={c}>{c}</li>)}</ol>
            )}
            <div style={{ display: 'flex', gap: 8 }}>
              <Button onClick={() => setReading(reading === p.versionId ? undefined : p.versionId)}>{reading === p.versionId ? 'Hide the full text' : 'Read the full text'}</Button>
              {p.status === 'pending' && <Button appearance="primary" onClick={() => void accept(p)}>I accept</Button>}
            </div>
          </Card>
        ))}
      </div>
    </section>
  );
}
