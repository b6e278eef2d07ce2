import type { GraphAccess } from '../graph/graph-access';
import type { CollectProgress } from './collect/collect-tenant';

/** The audit's areas in the order it reads them, so an admin sees what is still to come. */
export const AUDIT_AREAS = [
  'directory',
  'groups.membership',
  'mail.inbox-rules',
  'sharing.tenant-settings',
  'sharing.items',
  'tenant.guest-settings',
  'tenant.cross-tenant-access',
  'meetings.calendars',
] as const;

export interface AreaProgress {
  area: string;
  done: number;
  total: number;
  state: 'waiting' | 'reading' | 'done';
}

export interface AuditProgressView {
  startedAt: string;
  areas: AreaProgress[];
  /**
   * At least this long still to go: what is left of SharePoint's resource units (the scarce,
   * binding budget) at the pace its per-minute budget allows. Null before the audit knows.
   */
  timeLeftMs: number | null;
  limitedBy: 'SharePoint resource units per minute' | null;
}

/**
 * Follows one audit run for the people waiting on it: each area's done/total, and the time left
 * that the binding limit imposes on the work still known to be ahead.
 */
export class AuditProgress {
  private readonly areas = new Map<string, AreaProgress>(AUDIT_AREAS.map((a) => [a, { area: a, done: 0, total: 0, state: 'waiting' }]));
  private readonly unitsLeft = new Map<string, number>();

  constructor(
    private readonly graph: GraphAccess,
    private readonly startedAt: Date,
  ) {}

  readonly update = (p: CollectProgress): void => {
    const state = p.total > 0 && p.done >= p.total ? 'done' : 'reading';
    this.areas.set(p.phase, { area: p.phase, done: p.done, total: p.total, state });
    if (p.sharePointUnitsLeft !== undefined) this.unitsLeft.set(p.phase, p.sharePointUnitsLeft);
    if (state === 'done') this.unitsLeft.set(p.phase, 0);
  };

  view(): AuditProgressView {
    const pacer = this.graph.sharePointPacer;
    const units = [...this.unitsLeft.values()].reduce((a, b) => a + b, 0);
    return {
      startedAt: this.startedAt.toISOString(),
      areas: [...this.areas.values()],
      timeLeftMs: pacer ? Math.round(pacer.timeFor(units)) : null,
      limitedBy: pacer ? 'SharePoint resource units per minute' : null,
    };
  }
}

/** "about 3 min", "under a minute": for a line an admin reads. */
export function describeTimeLeft(ms: number | null): string {
  if (ms === null) return 'time left not known yet';
  if (ms < 60_000) return 'under a minute left';
  const minutes = Math.round(ms / 60_000);
  return minutes < 90 ? `about ${minutes} min left` : `about ${(ms / 3_600_000).toFixed(1)} h left`;
}
