import { renderCard, type AdaptiveCardJson } from '../../cards/render-card';
import { STATUS_LABELS, type IncidentView } from '../incident-view';

const template = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', $when: '${urgent}', text: 'URGENT: illegal material or immediate risk', color: 'Attention', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: 'E-safety incident: ${category} / ${subCategory}', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: 'Status: **${statusLabel}**', spacing: 'None', wrap: true },
    { type: 'TextBlock', text: '${whatHappened}', wrap: true },
    {
      type: 'FactSet',
      facts: [
        { title: 'When', value: '${when}' },
        { title: 'Where', value: '${where}' },
        { title: 'Involved', value: '${involvedText}' },
      ],
    },
    { type: 'TextBlock', $data: '${guidance}', text: '• ${$data}', wrap: true, color: 'Attention', spacing: 'None' },
    { type: 'TextBlock', $when: '${count(history) > 0}', text: 'Chronology', weight: 'Bolder', spacing: 'Medium', wrap: true },
    { type: 'TextBlock', $data: '${history}', text: '${at}: ${label} ${text}', wrap: true, spacing: 'None', isSubtle: true },
    { type: 'Input.Text', $when: "${status != 'closed'}", id: 'text', label: 'Note, outcome or details', isMultiline: true, maxLength: 4000 },
    { type: 'Input.Text', $when: "${status != 'closed'}", id: 'assignee', label: 'Assign to (school email)', style: 'Email', maxLength: 200 },
    {
      type: 'Input.ChoiceSet',
      $when: "${status != 'closed'}",
      id: 'escalateTo',
      label: 'Escalate to',
      choices: [
        { title: 'LADO', value: 'LADO' },
        { title: 'Police', value: 'police' },
        { title: 'CEOP', value: 'CEOP' },
        { title: "Children's social care", value: "children's social care" },
      ],
    },
    // Cards allow five actions a set: the less frequent ones sit here, beside their inputs.
    {
      type: 'ActionSet',
      $when: "${status != 'closed'}",
      actions: [
        { type: 'Action.Execute', title: 'Assign', verb: 'incident.assign', data: { incidentId: '${id}' } },
        { type: 'Action.Execute', title: 'Escalate', verb: 'incident.escalate', data: { incidentId: '${id}' } },
        { type: 'Action.Execute', title: 'Parents informed', verb: 'incident.inform-parents', data: { incidentId: '${id}' } },
      ],
    },
  ],
  actions: [
    { type: 'Action.Execute', $when: "${status == 'new'}", title: 'Acknowledge', verb: 'incident.acknowledge', data: { incidentId: '${id}' } },
    { type: 'Action.Execute', $when: "${status != 'closed'}", title: 'Add note', verb: 'incident.note', data: { incidentId: '${id}' } },
    { type: 'Action.Execute', $when: "${status != 'closed'}", title: 'Close with outcome', verb: 'incident.close', data: { incidentId: '${id}' } },
  ],
};

/** What the DSL sees and acts on. Reporter and routing stay out of it: it may be forwarded. */
export function incidentCard(view: IncidentView): AdaptiveCardJson {
  return renderCard(template, {
    ...view,
    statusLabel: STATUS_LABELS[view.status],
    when: view.when.slice(0, 16).replace('T', ' '),
    where: view.where || 'not given',
    involvedText: view.involved.join(', ') || 'not given',
    history: view.history.map((h) => ({ ...h, at: h.at.slice(0, 16).replace('T', ' ') })),
  });
}
