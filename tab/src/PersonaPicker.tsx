import { Button, Card, CardHeader, Persona, Subtitle1, Text, Title2 } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, type Persona as DemoPersona } from './api';

/** Demo only: outside Teams there is no SSO, so the visitor chooses who to be. */
export function PersonaPicker({ onPick }: { onPick: (id: string) => void }) {
  const [personas, setPersonas] = useState<DemoPersona[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api.personas().then(setPersonas, () => setError('Sign in from Microsoft Teams: this server has no demo personas.'));
  }, []);
  return (
    <main style={{ maxWidth: 720, margin: '40px auto', padding: 16 }}>
      <Title2 as="h1">E-Safety for Teams</Title2>
      <Subtitle1 as="p">Demo Academy: choose who you are</Subtitle1>
      {error && <Text role="alert">{error}</Text>}
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))', gap: 12, marginTop: 16 }}>
        {personas?.map((p) => (
          <Card key={p.id}>
            <CardHeader header={<Persona name={p.displayName} secondaryText={p.description} />} />
            <Button appearance="primary" onClick={() => onPick(p.id)} aria-label={`Sign in as ${p.displayName}`}>
              Sign in as {p.displayName.split(' ')[0]}
            </Button>
          </Card>
        ))}
      </div>
    </main>
  );
}
