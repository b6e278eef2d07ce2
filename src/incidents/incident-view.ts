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
  history: Array<{ kind: string; at: string; text: string }>;
}
