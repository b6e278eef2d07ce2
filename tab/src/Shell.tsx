import { Badge, Button, Tab, TabList, Text, Title3 } from '@fluentui/react-components';
import { useState } from 'react';
import type { Me } from './api';
import { PageFor } from './pages/PageFor';

/** The tab's frame: who you are, the pages your roles allow, and the page you chose. */
export function Shell({ me, token, onSignOut }: { me: Me; token: string; onSignOut: () => void }) {
  // A card's "Open the audit" link lands on #audit; a page the person may not see falls back to home.
  // "#my-policies/staff-aup@2" opens a page at one item (links in cards).
  const [wanted = '', item] = window.location.hash.replace(/^#\/?/, '').split('/');
  const [page, setPage] = useState(me.navigation.some((n) => n.id === wanted) ? wanted : (me.navigation[0]?.id ?? 'home'));
  return (
    <div style={{ display: 'flex', flexDirection: 'column', minHeight: '100vh' }}>
      <header style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '12px 20px', borderBottom: '1px solid #e0e0e0' }}>
        <Title3 as="h1" style={{ margin: 0 }}>
          E-Safety for Teams
        </Title3>
        <Text>{me.school}</Text>
        <span style={{ flex: 1 }} />
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
      <div style={{ display: 'flex', flex: 1 }}>
        <nav aria-label="Pages" style={{ width: 220, flexShrink: 0, borderRight: '1px solid #e0e0e0', paddingTop: 12 }}>
          <TabList vertical selectedValue={page} onTabSelect={(_, d) => setPage(String(d.value))}>
            {me.navigation.map((n) => (
              <Tab key={n.id} value={n.id}>
                {n.label}
              </Tab>
            ))}
          </TabList>
        </nav>
        <main style={{ flex: 1, minWidth: 0, padding: 24 }}>
          <PageFor page={page} me={me} token={token} {...(item && page === wanted ? { item: decodeURIComponent(item) } : {})} />
        </main>
      </div>
    </div>
  );
}
