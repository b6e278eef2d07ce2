import { Body1, Spinner, Title2 } from '@fluentui/react-components';
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { useMe } from '../session';
import { usePageStyles } from '../ui';

/**
 * Each page is its own chunk, loaded when first opened: a student never downloads the audit, the
 * governors' charts or the coverage tables. (`item` opens a page at one thing, from a card's link.)
 */
type Page = LazyExoticComponent<ComponentType<{ item?: string }>>;
const page = <K extends string>(load: () => Promise<Record<K, ComponentType<{ item?: string }>>>, name: K): Page =>
  lazy(() => load().then((m) => ({ default: m[name] })));

const PAGES: Record<string, Page> = {
  audit: page(() => import('./AuditPage'), 'AuditPage'),
  'governors-report': page(() => import('./GovernorsReportPage'), 'GovernorsReportPage'),
  training: page(() => import('./TrainingPage'), 'TrainingPage'),
  lessons: page(() => import('./LessonsPage'), 'LessonsPage'),
  'my-policies': page(() => import('./MyPoliciesPage'), 'MyPoliciesPage'),
  policies: page(() => import('./PoliciesPage'), 'PoliciesPage'),
  incidents: page(() => import('./IncidentsPage'), 'IncidentsPage'),
  report: page(() => import('./ReportPage'), 'ReportPage'),
  confide: page(() => import('./ReportPage'), 'ConfidePage'),
};

/** What the pages without a component of their own say. */
const PURPOSE: Record<string, { title: string; text: string }> = {
  home: { title: 'Home', text: 'Your school’s e-safety policy, kept in Teams.' },
};

export function PageFor({ page: id, item }: { page: string; item?: string }) {
  const me = useMe();
  const s = usePageStyles();
  const Page = PAGES[id];
  if (Page)
    return (
      <Suspense fallback={<Spinner label="Opening the page…" />}>
        <Page {...(item ? { item } : {})} />
      </Suspense>
    );
  const purpose = PURPOSE[id] ?? { title: id, text: '' };
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block className={s.title}>
        {purpose.title}
      </Title2>
      <Body1 as="p" block>
        {id === 'home' ? `Welcome, ${me.person.displayName}. ${purpose.text}` : purpose.text}
      </Body1>
    </section>
  );
}
