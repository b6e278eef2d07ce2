import type { Logger } from 'pino';
import type { SchoolConfig } from '../config/school-config';
import { incidentCard } from './cards/incident-card';
import type { Notifier } from '../notify/notifier';
import type { SchoolDirectory } from '../school/school-directory';
import type { IncidentService } from './incident-service';
import type { Routing } from './incident-routing';
import { DEFAULT_SCHOOL_DAY, schoolDayOver, schoolMinutesBetween, type SchoolDay } from './school-hours';

export const SYSTEM_ACTOR = 'e-safety-app';

/**
 * Nobody sits on an incident: not acknowledged within the time allowed (2 school hours by
 * default), the DSL is reminded; after twice that, the deputies and the headteacher are told
 * (never the head about themselves); still open when the school day ends, it is flagged. Every
 * step is an entry in the incident's chronology, and each happens once.
 */
export class IncidentReminders {
  private readonly incidents: IncidentService;
  private readonly config: SchoolConfig;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly logger: Logger;
  private readonly options: { acknowledgeWithinMinutes: number; schoolDay: SchoolDay };
  private readonly now: () => Date;

  constructor(deps: {
    incidents: IncidentService;
    config: SchoolConfig;
    directory: SchoolDirectory;
    notifier: Notifier;
    logger: Logger;
    options?: { acknowledgeWithinMinutes: number; schoolDay: SchoolDay };
    clock?: () => Date;
  }) {
    this.incidents = deps.incidents;
    this.config = deps.config;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.logger = deps.logger;
    this.options = deps.options ?? { acknowledgeWithinMinutes: 120, schoolDay: DEFAULT_SCHOOL_DAY };
    this.now = deps.clock ?? (() => new Date());
  }

  async tick(): Promise<Array<{ incidentId: string; step: string }>> {
    const done: Array<{ incidentId: string; step: string }> = [];
    const now = this.now();
    const store = this.incidents.store;
    const incidents = await store.all();
    for (const incident of incidents) {
      const entries = await store.entries(incident.id);
      const kinds = new Set(entries.map((e) => e.kind));
      if (kinds.has('closed')) continue;
      const routing = (JSON.parse(entries[0]!.body) as { routing: Routing }).routing;
      const reported = new Date(incident.reported_at);
      const waited = schoolMinutesBetween(reported, now, this.options.schoolDay);
      const limit = this.options.acknowledgeWithinMinutes;
      if (!kinds.has('acknowledged')) {
        if (waited >= limit && !kinds.has('reminder-sent')) {
          await this.send(
            routing.recipients.filter((r) => r.as === 'dsl' || r.kind === 'contact'),
            incident.id,
            'Reminder: not yet acknowledged',
          );
          await store.add(incident.id, 'reminder-sent', SYSTEM_ACTOR, { text: `not acknowledged after ${waited} school minutes` });
          done.push({ incidentId: incident.id, step: 'reminder-sent' });
        }
        if (waited >= 2 * limit && !kinds.has('escalated')) {
          // Escalation goes to the deputies and the head, except for a concern about the head.
          const aboutHead = routing.recipients.every((r) => r.kind === 'contact');
          const to = aboutHead
            ? routing.recipients
            : [
                ...routing.recipients.filter((r) => r.as === 'deputy-dsl'),
                { kind: 'person' as const, ref: this.config.safeguarding.headteacher, as: 'headteacher' as const },
              ];
          await this.send(to, incident.id, 'Escalated: not acknowledged');
          await store.add(incident.id, 'escalated', SYSTEM_ACTOR, { text: `not acknowledged after ${waited} school minutes` });
          done.push({ incidentId: incident.id, step: 'escalated' });
        }
      }
      if (schoolDayOver(reported, now, this.options.schoolDay) && !kinds.has('flagged-open')) {
        await store.add(incident.id, 'flagged-open', SYSTEM_ACTOR, { text: 'still open at the end of the school day' });
        done.push({ incidentId: incident.id, step: 'flagged-open' });
      }
    }
    return done;
  }

  private async send(recipients: Routing['recipients'], incidentId: string, summary: string): Promise<void> {
    const card = incidentCard(await this.incidents.view(incidentId));
    const seen = new Set<string>();
    for (const r of recipients) {
      const id = await this.directory.userIdOf(r.kind === 'person' ? r.ref : r.email);
      if (!id || seen.has(id)) continue;
      seen.add(id);
      if ((await this.notifier.sendToPerson(id, card, summary)) !== 'sent')
        this.logger.warn({ incidentId, recipient: r.as }, 'reminder not delivered: no chat with the bot');
    }
  }
}
