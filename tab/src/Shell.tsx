import { Badge, Button, makeStyles, Tab, TabList, Text, Title3, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { PageFor } from './pages/PageFor';
import { useMe } from './session';
import { NARROW, useNarrow } from './ui';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: '100vh' },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXL}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  title: { margin: 0 },
  spacer: { flexGrow: 1 },
  body: { display: 'flex', flexGrow: 1, [`@media ${NARROW}`]: { flexDirection: 'column' } },
  nav: {
    width: '220px',
    flexShrink: 0,
    paddingTop: tokens.spacingVerticalM,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    [`@media ${NARROW}`]: { width: 'auto', paddingTop: 0, borderRight: 'none', borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  },
  tabsWrap: { flexWrap: 'wrap' },
  main: {
    flexGrow: 1,
    minWidth: 0,
    padding: tokens.spacingHorizontalXXL,
    [`@media ${NARROW}`]: { padding: tokens.spacingHorizontalL },
  },
});

/** The tab's frame: who you are, the pages your roles allow, and the page you chose. */
export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const s = useStyles();
  const me = useMe();
  const narrow = useNarrow();
  // A card's "Open the audit" link lands on #audit; a page the person may not see falls back to home.
  // "#my-policies/staff-aup@2" opens a page at one item (links in cards).
  const [wanted = '', item] = window.location.hash.replace(/^#\/?/, '').split('/');
  const [page, setPage] = useState(me.navigation.some((n) => n.id === wanted) ? wanted : (me.navigation[0]?.id ?? 'home'));
  return (
    <div className={s.root}>
      <header className={s.header}>
        <Title3 as="h1" className={s.title}>
          E-Safety for Teams
        </Title3>
        <Text>{me.school}</Text>
        <span className={s.spacer} />
        <Text weight="semibold" data-testid="signed-in-as">
          {me.person.displayName}
        </Text>
        {me.person.roles.map((r) => (
          <Badge key={r} appearance="tint" data-testid="role-badge">
            {r}
          </Badge>
        ))}
        <Button size="small" onClick={onSignOut}>
          Switch person
        </Button>
      </header>
      <div className={s.body}>
        <nav aria-label="Pages" className={s.nav}>
          <TabList vertical={!narrow} className={narrow ? s.tabsWrap : undefined} selectedValue={page} onTabSelect={(_, d) => setPage(String(d.value))}>
            {me.navigation.map((n) => (
              <Tab key={n.id} value={n.id}>
                {n.label}
              </Tab>
            ))}
          </TabList>
        </nav>
        <main className={s.main}>
          <PageFor page={page} {...(item && page === wanted ? { item: decodeURIComponent(item) } : {})} />
        </main>
      </div>
    </div>
  );
}
