import type { JobRunner } from '../jobs/job-runner';
import type { Logger } from '../logging/logger';
import type { CheckpointCopy } from './incident-checkpoint-copy';
import type { IncidentReminders } from './incident-reminders';
import type { IncidentService } from './incident-service';

export const INCIDENT_JOBS = { delivery: 'incident.delivery', reminders: 'incident.reminders', checkpoint: 'incident.checkpoint' } as const;

/**
 * The incidents' scheduled work, on the job runner:
 * - every minute, the delivery sweep: cards still queued, and cards claimed by a process that died
 *   (the claim lapses after five minutes), are sent without waiting for a restart or the next
 *   report (#13). It also runs at start-up;
 * - every minute, reminders and escalation for unacknowledged incidents;
 * - hourly (and at start-up), the external copy of the log's checkpoints, when a file is set.
 */
export function scheduleIncidentWork(deps: {
  runner: JobRunner;
  incidents: IncidentService;
  reminders: IncidentReminders;
  logger: Logger;
  checkpointCopy?: CheckpointCopy;
  sweepEveryMs?: number;
}): void {
  const { runner, incidents, reminders, logger } = deps;
  runner.every(INCIDENT_JOBS.delivery, deps.sweepEveryMs ?? 60_000, async () => {
    const sent = await incidents.deliverQueued();
    if (sent) logger.info({ sent }, 'incident cards sent by the delivery sweep');
  });
  runner.every(INCIDENT_JOBS.reminders, 60_000, () => reminders.tick(), { firstRun: 'after-interval' });
  const copy = deps.checkpointCopy;
  if (copy) runner.every(INCIDENT_JOBS.checkpoint, 60 * 60_000, () => copy.tick());
}
