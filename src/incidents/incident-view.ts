/** An incident as the people it was sent to see it (the DSL's card, the incident email). Reporter and routing stay out of it: it may be forwarded. */
export interface IncidentView {
  id: string;
  category: string;
  subCategory: string;
  whatHappened: string;
  when: string;
  where: string;
  involved: string[];
  urgent: boolean;
  guidance: string[];
  status: 'new' | 'acknowledged' | 'closed';
  history: Array<{ kind: string; label: string; at: string; text: string }>;
}

/** What each kind of chronology entry is called where people read it (tab, card, email): never the stored token. */
const ENTRY_LABELS: Record<string, string> = {
  reported: 'Reported',
  acknowledged: 'Acknowledged',
  note: 'Note',
  assigned: 'Assigned',
  'escalated-to': 'Escalated to',
  'parents-informed': 'Parents or carers informed',
  closed: 'Closed',
  'reminder-sent': 'Reminder sent',
  escalated: 'Escalated: not acknowledged in time',
  'flagged-open': 'Flagged: still open at the end of the school day',
};

export function entryLabel(kind: string): string {
  return ENTRY_LABELS[kind] ?? (kind.charAt(0).toUpperCase() + kind.slice(1)).replace(/-/g, ' ');
}

/** How an incident's status reads to people. */
export const STATUS_LABELS: Record<IncidentView['status'], string> = { new: 'New', acknowledged: 'Acknowledged', closed: 'Closed' };
