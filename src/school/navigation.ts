import type { AppRole } from './school-directory';

/** A page of the tab and the roles that see it. Later capabilities fill the pages in. */
export interface NavigationItem {
  id: 'home' | 'my-policies' | 'confide' | 'report' | 'lessons' | 'incidents' | 'policies' | 'audit' | 'governors-report' | 'training';
  label: string;
}

const PAGES: Array<NavigationItem & { roles: AppRole[] | 'everyone' }> = [
  { id: 'home', label: 'Home', roles: 'everyone' },
  { id: 'my-policies', label: 'My policies', roles: ['student', 'staff', 'governor'] },
  { id: 'confide', label: 'Confide', roles: ['student'] },
  { id: 'report', label: 'Report a concern', roles: ['staff', 'governor'] },
  { id: 'lessons', label: 'Lessons', roles: ['teacher'] },
  { id: 'incidents', label: 'Incidents', roles: ['safeguarding', 'dsl', 'headteacher', 'chair'] },
  { id: 'policies', label: 'Policies', roles: ['admin', 'headteacher'] },
  { id: 'audit', label: 'Tenant audit', roles: ['admin'] },
  { id: 'governors-report', label: 'Governors\u2019 report', roles: ['governor', 'headteacher'] },
  { id: 'training', label: 'Training', roles: ['headteacher', 'dsl'] },
];

export function navigationFor(roles: readonly AppRole[]): NavigationItem[] {
  return PAGES.filter((p) => p.roles === 'everyone' || p.roles.some((r) => roles.includes(r))).map(({ id, label }) => ({ id, label }));
}
