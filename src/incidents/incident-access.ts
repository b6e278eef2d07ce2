import type { Person, SchoolDirectory } from '../school/school-directory';
import { NoSuchIncident, NotAllowed } from './incident-errors';
import type { Routing } from './incident-routing';
import type { IncidentStore } from './incident-store';

/** Who may see an incident: the safeguarding team, and the people it was routed to; nobody else. */
export class IncidentAccess {
  private readonly store: IncidentStore;
  private readonly directory: SchoolDirectory;

  constructor(deps: { store: IncidentStore; directory: SchoolDirectory }) {
    this.store = deps.store;
    this.directory = deps.directory;
  }

  async assertMayRead(incidentId: string, person: Person): Promise<void> {
    if (person.roles.includes('safeguarding')) {
      if (!(await this.store.exists(incidentId))) throw new NoSuchIncident();
      return;
    }
    // Anyone else gets the same refusal whether or not the id exists: no existence oracle.
    // Erased under retention, no routing is left, so only the safeguarding team may see the stub.
    const first = await this.store.first(incidentId).catch((e: unknown) => {
      if (e instanceof NoSuchIncident) return 'erased' as const;
      throw e;
    });
    const recipients = first === 'erased' ? [] : first.routing.recipients;
    if (await this.isAmong(recipients, person)) return;
    throw new NotAllowed('only the safeguarding team and the people this incident was sent to may see it');
  }

  /**
   * The incidents sent to this person (policy 002: staff misuse to the headteacher, a concern about
   * the head to the chair of governors): what the head's and the chair's Incidents page lists.
   */
  async routedTo(person: Person): Promise<Set<string>> {
    const out = new Set<string>();
    for (const [incidentId, recipients] of await this.store.recipients()) if (await this.isAmong(recipients, person)) out.add(incidentId);
    return out;
  }

  private async isAmong(recipients: Routing['recipients'], person: Person): Promise<boolean> {
    for (const r of recipients) {
      if ((await this.directory.userIdOf(r.kind === 'person' ? r.ref : r.email)) === person.id) return true;
    }
    return false;
  }
}
