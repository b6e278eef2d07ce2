import { Button, Card, CardHeader, makeStyles, Persona, Subtitle1, Text, Title2, tokens } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { publicApi } from './api';

const useStyles = makeStyles({
  page: { maxWidth: '720px', margin: '0 auto', padding: `${tokens.spacingVerticalXXXL} ${tokens.spacingHorizontalL}` },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))', gap: tokens.spacingHorizontalM, marginTop: tokens.spacingVerticalL },
});

/** Demo only: outside Teams there is no SSO, so the visitor chooses who to be. */
export function PersonaPicker({ onPick }: { onPick: (id: string) => void }) {
  const s = useStyles();
  const personas = useQuery({ queryKey: ['demo-personas'], queryFn: ({ signal }) => publicApi.personas(signal), retry: false });
  return (
    <main className={s.page}>
      <Title2 as="h1">E-Safety for Teams</Title2>
      <Subtitle1 as="p">Demo Academy: choose who you are</Subtitle1>
      {personas.isError && <Text role="alert">Sign in from Microsoft Teams: this server has no demo personas.</Text>}
      <div className={s.grid}>
        {personas.data?.map((p) => (
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
