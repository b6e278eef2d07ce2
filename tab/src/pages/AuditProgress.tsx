import { Body1, Caption1, ProgressBar } from '@fluentui/react-components';
import { useEffect, useState } from 'react';

/** GET /api/audit/progress (src/audit/audit-progress.ts AuditProgressView). */
interface AuditProgressView {
  startedAt: string;
  areas: Array<{ area: string; done: number; total: number; state: 'waiting' | 'reading' | 'done' }>;
  timeLeftMs: number | null;
  limitedBy: string | null;
}

/** The audit's areas in the school's words. */
const AREA_NAMES: Record<string, string> = {
  directory: 'People',
  'groups.membership': 'Groups and teams',
  'mail.inbox-rules': 'Mail forwarding rules',
  'sharing.tenant-settings': 'Sharing settings',
  'sharing.items': 'Shared files (OneDrive and SharePoint)',
  'tenant.guest-settings': 'Guest settings',
  'tenant.cross-tenant-access': 'Cross-tenant access',
  'meetings.calendars': 'Meetings staff organise',
};

function timeLeft(ms: number | null): string {
  if (ms === null) return 'Working out how long this will take…';
  if (ms < 60_000) return 'Less than a minute left.';
  const minutes = Math.round(ms / 60_000);
  return minutes < 90 ? `About ${minutes} minutes left.` : `About ${(ms / 3_600_000).toFixed(1)} hours left.`;
}

/**
 * While an audit runs: each area with done/total and the time left, estimated from the limit that
 * binds (SharePoint's resource units per minute), so an admin of a large trust knows whether to wait.
 * Polls every 2 s while `running`; shows nothing otherwise.
 */
export function AuditProgress({ token, running }: { token: string; running: boolean }) {
  const [view, setView] = useState<AuditProgressView | null>(null);
  useEffect(() => {
    if (!running) {
      setView(null);
      return;
    }
    let stopped = false;
    const poll = async () => {
      try {
        const res = await fetch('/api/audit/progress', { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { progress: AuditProgressView | null };
        if (!stopped) setView(body.progress);
      } catch {
        // The run itself reports failures; progress is best effort.
      }
    };
    void poll();
    const timer = setInterval(poll, 2_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [running, token]);

  if (!running || !view) return null;
  return (
    <section aria-label="Audit progress" aria-live="polite" style={{ marginBottom: 12 }}>
      <Body1 block>
        {timeLeft(view.timeLeftMs)}
        {view.limitedBy ? ` Microsoft limits how fast an app may read: ${view.limitedBy}.` : ''}
      </Body1>
      <ul style={{ listStyle: 'none', padding: 0, margin: '8px 0', display: 'grid', gap: 6 }}>
        {view.areas.map((a) => (
          <li key={a.area}>
            <Caption1 block>
              {AREA_NAMES[a.area] ?? a.area}: {a.state === 'waiting' ? 'waiting' : `${a.done.toLocaleString()} of ${a.total.toLocaleString()}`}
            </Caption1>
            <ProgressBar value={a.total > 0 ? a.done / a.total : 0} max={1} aria-label={`${AREA_NAMES[a.area] ?? a.area} progress`} />
          </li>
        ))}
      </ul>
    </section>
  );
}
