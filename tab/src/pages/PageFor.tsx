import { Body1, Spinner, Title2 } from '@fluentui/react-components';
import { lazy, Suspense } from 'react';
import type { Me } from '../api';
import { AuditPage } from './AuditPage';
import { TrainingPage } from './TrainingPage';
import { IncidentsPage } from './IncidentsPage';
import { LessonsPage } from './LessonsPage';
import { MyPoliciesPage } from './MyPoliciesPage';
import { PoliciesPage } from './PoliciesPage';
import { ConfidePage, ReportPage } from './ReportPage';

/** Loaded only when opened: it carries the chart library (@fluentui/react-charts, ~230 kB), which only governors and the head need. */
const GovernorsReportPage = lazy(() => import('./GovernorsReportPage').then((m) => ({ default: m.GovernorsReportPage })));

/**
 * What each page is for. The capabilities behind them (AUP campaigns, incidents, lessons, audit)
 * arrive one by one; until then a page says plainly what it will hold.
 */
const PURPOSE: Record<string, { title: string; text: string }> = {
  home: { title: 'Home', text: 'Your school’s e-safety policy, kept in Teams.' },
};

export function PageFor({ page, me, token, item }: { page: string; me: Me; token: string; item?: string }) {
  if (page === 'audit') return <AuditPage token={token} />;
  if (page === 'governors-report')
    return (
      <Suspense fallback={<Spinner label="Opening the report…" />}>
        <GovernorsReportPage token={token} canRecordReviews={me.person.roles.includes('headteacher')} />
      </Suspense>
    );
  if (page === 'training') return <TrainingPage token={token} />;
  if (page === 'lessons') return <LessonsPage token={token} />;
  if (page === 'my-policies') return <MyPoliciesPage token={token} {...(item ? { versionId: item } : {})} />;
  if (page === 'policies') return <PoliciesPage token={token} {...(item ? { policyId: item } : {})} />;
  if (page === 'incidents') return <IncidentsPage token={token} />;
  if (page === 'report') return <ReportPage token={token} />;
  if (page === 'confide') return <ConfidePage token={token} />;
  const purpose = PURPOSE[page] ?? { title: page, text: '' };
  return (
    <section aria-labelledby="page-title">
      <Title2 as="h2" id="page-title" block style={{ marginBottom: 12 }}>
        {purpose.title}
      </Title2>
      <Body1 as="p" block>{page === 'home' ? `Welcome, ${me.person.displayName}. ${purpose.text}` : purpose.text}</Body1>
    </section>
  );
}
