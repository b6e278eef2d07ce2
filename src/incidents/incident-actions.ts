import { incidentCard } from './cards/incident-card';
import type { AdaptiveCardJson } from '../cards/render-card';
import type { Person, SchoolDirectory } from '../school/school-directory';
import type { IncidentAccess } from './incident-access';
import type { IncidentDelivery } from './incident-delivery';
import { InvalidReport } from './incident-errors';
import type { IncidentStore } from './incident-store';

export const INCIDENT_ACTIONS = ['acknowledge', 'note', 'assign', 'escalate', 'inform-parents', 'close'] as const;
export const ESCALATE_TO = ['LADO', 'police', 'CEOP', "children's social care"] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** Acting on an incident (policy 002): each action an entry in its chronology, every copy of its card refreshed. */
export class IncidentActions {
  private readonly store: IncidentStore;
  private readonly access: IncidentAccess;
  private readonly directory: SchoolDirectory;
  private readonly delivery: IncidentDelivery;

  constructor(deps: { store: IncidentStore; access: IncidentAccess; directory: SchoolDirectory; delivery: IncidentDelivery }) {
    this.store = deps.store;
    this.access = deps.access;
    this.directory = deps.directory;
    this.delivery = deps.delivery;
  }

  /** The DSL (or a routed recipient) acts from the card; every action is an entry, never an edit. */
  async act(
    incidentId: string,
    action: IncidentAction,
    actor: Person,
    data: { text?: string; assignee?: string; escalateTo?: string } = {},
  ): Promise<AdaptiveCardJson> {
    await this.access.assertMayRead(incidentId, actor);
    const { kind, body } = await this.entryFor(action, data);
    await this.store.add(incidentId, kind, actor.id, body);
    const card = incidentCard(await this.store.view(incidentId));
    await this.delivery.refreshCopies(incidentId, card);
    return card;
  }

  private async entryFor(
    action: IncidentAction,
    data: { text?: string; assignee?: string; escalateTo?: string },
  ): Promise<{ kind: string; body: Record<string, unknown> }> {
    const text = data.text?.trim().slice(0, 4000) ?? '';
    switch (action) {
      case 'acknowledge':
        return { kind: 'acknowledged', body: {} };
      case 'note':
        if (!text) throw new InvalidReport('note: write the note first');
        return { kind: 'note', body: { text } };
      case 'assign': {
        const assigneeId = data.assignee ? await this.directory.userIdOf(data.assignee.trim()) : undefined;
        const assignee = assigneeId ? await this.directory.person(assigneeId) : undefined;
        if (!assignee || !assignee.roles.includes('staff')) throw new InvalidReport('assignee: name a member of staff by their school email address');
        return { kind: 'assigned', body: { text: `to ${assignee.displayName}${text ? `: ${text}` : ''}`, assigneeId: assignee.id } };
      }
      case 'escalate':
        if (!ESCALATE_TO.includes(data.escalateTo as (typeof ESCALATE_TO)[number]))
          throw new InvalidReport(`escalateTo: choose one of ${ESCALATE_TO.join(', ')}`);
        return { kind: 'escalated-to', body: { text: `${data.escalateTo}${text ? `: ${text}` : ''}`, to: data.escalateTo } };
      case 'inform-parents':
        return { kind: 'parents-informed', body: { text: text || 'parents or carers informed' } };
      case 'close':
        if (!text) throw new InvalidReport('outcome: say how the incident was closed');
        return { kind: 'closed', body: { text, outcome: text } };
    }
  }
}
