import { Body1, Caption1, makeStyles, ProgressBar, tokens } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { isAuditArea, type AuditArea } from '../../../src/contract';
import { useApi } from '../session';

const useStyles = makeStyles({
  section: { marginBottom: tokens.spacingVerticalM },
  areas: { listStyleType: 'none', padding: 0, margin: `${tokens.spacingVerticalS} 0`, display: 'grid', gap: tokens.spacingVerticalXS },
});

/** The audit's areas in the school's words: every area the collector reports (a new one is a type error here until named). */
const AREA_NAMES: Record<AuditArea, string> = {
  directory: 'People',
  'groups.membership': 'Groups and teams',
  'mail.inbox-rules': 'Mail forwarding rules',
  'mail.mailbox-forwarding': 'Mailbox forwarding',
  'mail.tenant-auto-forward': 'Automatic forwarding out of the school',
  'sharing.tenant-settings': 'Sharing settings',
  'sharing.items': 'Shared files (OneDrive and SharePoint)',
  'tenant.guest-settings': 'Guest settings',
  'tenant.cross-tenant-access': 'Cross-tenant access',
  'meetings.calendars': 'Meetings staff organise',
  'teams.policies': 'Teams meeting policies',
};
const areaName = (area: string) => (isAuditArea(area) ? AREA_NAMES[area] : area);

function timeLeft(ms: number | null): string {
  if (ms === null) return 'Working out how long this will take…';
  if (ms < 60_000) return 'Less than a minute left.';
  const minutes = Math.round(ms / 60_000);
  return minutes < 90 ? `About ${minutes} minutes left.` : `About ${(ms / 3_600_000).toFixed(1)} hours left.`;
}

/**
 * While an audit runs: each area with done/total and the time left, estimated from the limit that
 * binds (SharePoint's resource units per minute), so an admin of a large trust knows whether to wait.
 * Asks every 2 s while `running`; shows nothing otherwise. Progress is best effort: the run itself
 * reports failures.
 */
export function AuditProgress({ running }: { running: boolean }) {
  const api = useApi();
  const s = useStyles();
  const progress = useQuery({
    queryKey: ['audit', 'progress'],
    queryFn: ({ signal }) => api.auditProgress(signal),
    enabled: running,
    refetchInterval: running ? 2_000 : false,
  });
  const view = progress.data;
  if (!running || !view) return null;
  return (
    <section aria-label="Audit progress" aria-live="polite" className={s.section}>
      <Body1 block>
        {timeLeft(view.timeLeftMs)}
        {view.limitedBy ? ` Microsoft limits how fast an app may read: ${view.limitedBy}.` : ''}
      </Body1>
      <ul className={s.areas}>
        {view.areas.map((a) => (
          <li key={a.area}>
            <Caption1 block>
              {areaName(a.area)}: {a.state === 'waiting' ? 'waiting' : `${a.done.toLocaleString()} of ${a.total.toLocaleString()}`}
            </Caption1>
            <ProgressBar value={a.total > 0 ? a.done / a.total : 0} max={1} aria-label={`${areaName(a.area)} progress`} />
          </li>
        ))}
      </ul>
    </section>
  );
}
