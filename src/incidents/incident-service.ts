import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AdaptiveCardJson } from '../cards/render-card';
import type { SchoolConfig } from '../config/school-config';
import type { Mailer } from '../notify/mailer';
import type { Notifier } from '../notify/notifier';
import type { Person, SchoolDirectory } from '../school/school-directory';
import { termOf } from '../school/school-terms';
import { AuditLog } from '../storage/audit-log';
import type { Database } from '../storage/schema';
import { IncidentAccess } from './incident-access';
import { IncidentActions, type IncidentAction } from './incident-actions';
import { IncidentChronology } from './incident-chronology';
import { IncidentDelivery } from './incident-delivery';
import { IncidentIntake } from './incident-intake';
import type { IncidentLogKeys } from './incident-log-key';
import { IncidentQueue } from './incident-queue';
import { IncidentStore } from './incident-store';
import type { IncidentView } from './incident-view';

export type { IncidentView };
export { InvalidReport, NotAllowed, NoSuchIncident } from './incident-errors';
export { INCIDENT_ACTIONS, ESCALATE_TO, type IncidentAction } from './incident-actions';
export { termOf };

export interface IncidentServiceDeps {
  db: Kysely<Database>;
  engine: 'sqlite' | 'postgres';
  config: SchoolConfig;
  directory: SchoolDirectory;
  notifier: Notifier;
  logger: Logger;
  clock?: () => Date;
  /** Email for recipients outside Teams (the LADO). Without it their card waits in the queue. */
  mailer?: Mailer;
  /** Seals the incident log (INCIDENT_LOG_KEY when not given). */
  logKeys?: IncidentLogKeys;
}

/**
 * E-safety incidents as the bot, the tab and the jobs use them. Knows nothing of Teams: cards go
 * out through the Notifier, actions come in as plain calls. Each job is its own part (taking a
 * report, delivering cards, acting, reading, a person's chronology; all SQL in the store); this
 * puts them together once so every edge gets the same wiring.
 */
export class IncidentService {
  readonly store: IncidentStore;
  readonly delivery: IncidentDelivery;
  readonly intake: IncidentIntake;
  readonly actions: IncidentActions;
  readonly queue: IncidentQueue;
  readonly chronology: IncidentChronology;

  constructor(deps: IncidentServiceDeps) {
    const clock = deps.clock ?? (() => new Date());
    const audit = new AuditLog(deps.db, clock);
    this.store = new IncidentStore({ db: deps.db, engine: deps.engine, clock, ...(deps.logKeys ? { logKeys: deps.logKeys } : {}) });
    const access = new IncidentAccess({ store: this.store, directory: deps.directory });
    this.delivery = new IncidentDelivery({
      store: this.store,
      config: deps.config,
      directory: deps.directory,
      notifier: deps.notifier,
      audit,
      logger: deps.logger,
      clock,
      ...(deps.mailer ? { mailer: deps.mailer } : {}),
    });
    this.intake = new IncidentIntake({ store: this.store, config: deps.config, directory: deps.directory, delivery: this.delivery, clock });
    this.actions = new IncidentActions({ store: this.store, access, directory: deps.directory, delivery: this.delivery });
    this.queue = new IncidentQueue({ store: this.store, access, audit, clock });
    this.chronology = new IncidentChronology({ store: this.store, directory: deps.directory, audit });
  }

  report(input: unknown, reporter: Person): Promise<{ incidentId: string; created: boolean }> {
    return this.intake.report(input, reporter);
  }

  confide(input: unknown, student: Person): Promise<{ incidentId: string; created: boolean }> {
    return this.intake.confide(input, student);
  }

  act(
    incidentId: string,
    action: IncidentAction,
    actor: Person,
    data: { text?: string; assignee?: string; escalateTo?: string } = {},
  ): Promise<AdaptiveCardJson> {
    return this.actions.act(incidentId, action, actor, data);
  }

  /** An action from the tab: the same rules and entries as the card's, answered with the incident as it now stands. */
  async actAndShow(
    incidentId: string,
    action: IncidentAction,
    actor: Person,
    data: { text?: string; assignee?: string; escalateTo?: string } = {},
  ): ReturnType<IncidentQueue['read']> {
    await this.actions.act(incidentId, action, actor, data);
    return this.queue.show(incidentId);
  }

  list(viewer: Person, filter: Parameters<IncidentQueue['list']>[1] = {}): ReturnType<IncidentQueue['list']> {
    return this.queue.list(viewer, filter);
  }

  read(incidentId: string, reader: Person): ReturnType<IncidentQueue['read']> {
    return this.queue.read(incidentId, reader);
  }

  governorsReport(viewer: Person): ReturnType<IncidentQueue['governorsReport']> {
    return this.queue.governorsReport(viewer);
  }

  exportForPerson(person: { id: string; displayName: string }, requestedBy: string): ReturnType<IncidentChronology['exportForPerson']> {
    return this.chronology.exportForPerson(person, requestedBy);
  }

  chronologyOf(who: { id?: string; name?: string }, viewer: Person): ReturnType<IncidentChronology['chronologyOf']> {
    return this.chronology.chronologyOf(who, viewer);
  }

  /** Sends every queued card (and any whose claim lapsed); the sweep job runs this too. */
  deliverQueued(): Promise<number> {
    return this.delivery.deliverQueued();
  }

  /**
   * Someone has just opened a chat with the bot (or it was installed for them): the incident cards
   * that waited for them, backing off, go now rather than at their next attempt, hours away.
   */
  async reachable(personId: string): Promise<number> {
    if ((await this.store.dueNowFor(personId)) === 0) return 0;
    return this.delivery.deliverQueued();
  }

  /** Resolves once the deliveries started in the background have finished (shutdown, tests). */
  settled(): Promise<void> {
    return this.delivery.settled();
  }

  /** The incident as its card shows it (no access check: callers check). */
  view(incidentId: string): Promise<IncidentView> {
    return this.store.view(incidentId);
  }
}
