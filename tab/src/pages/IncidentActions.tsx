import { Button, Dropdown, Field, Input, Option, Textarea } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { IncidentActionRequest, IncidentDetail } from '../api-types';
import { useApi } from '../session';
import { ErrorBar, usePageStyles } from '../ui';

const ESCALATE_TO = ['LADO', 'police', 'CEOP', "children's social care"];

/**
 * The incident card's actions in the tab (policy 002 "Handling Incidents"): acknowledge, note,
 * assign, escalate, parents informed, close. The server applies the same rules and writes the same
 * chronology entries as for the card; a refusal is shown and what was typed is kept.
 */
export function IncidentActions({ incident }: { incident: IncidentDetail }) {
  const api = useApi();
  const p = usePageStyles();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [assignee, setAssignee] = useState('');
  const [escalateTo, setEscalateTo] = useState<string>();
  const act = useMutation({
    mutationFn: (request: IncidentActionRequest) => api.actOnIncident(incident.id, request),
    onSuccess: (updated) => {
      queryClient.setQueryData(['incident', incident.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['incidents'] });
      setText('');
      setAssignee('');
      setEscalateTo(undefined);
    },
  });
  if (incident.status === 'closed') return null;
  const withText = text.trim() ? { text: text.trim() } : {};
  return (
    <div aria-label="Act on this incident" role="group" className={p.gap}>
      <ErrorBar error={act.error} />
      <Field label="Note, outcome or details">
        <Textarea value={text} maxLength={4000} onChange={(_, d) => setText(d.value)} />
      </Field>
      <div className={p.filters}>
        <Field label="Assign to (school email)">
          <Input type="email" value={assignee} maxLength={200} onChange={(_, d) => setAssignee(d.value)} />
        </Field>
        <Field label="Escalate to">
          <Dropdown aria-label="Escalate to" value={escalateTo ?? ''} placeholder="choose" onOptionSelect={(_, d) => setEscalateTo(d.optionValue)}>
            {ESCALATE_TO.map((to) => (
              <Option key={to} value={to}>
                {to}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      <div className={p.actions}>
        {incident.status === 'new' && (
          <Button appearance="primary" disabled={act.isPending} onClick={() => act.mutate({ action: 'acknowledge' })}>
            Acknowledge
          </Button>
        )}
        <Button disabled={act.isPending} onClick={() => act.mutate({ action: 'note', ...withText })}>
          Add note
        </Button>
        <Button disabled={act.isPending} onClick={() => act.mutate({ action: 'assign', assignee: assignee.trim(), ...withText })}>
          Assign
        </Button>
        <Button disabled={act.isPending} onClick={() => act.mutate({ action: 'escalate', ...(escalateTo ? { escalateTo } : {}), ...withText })}>
          Escalate
        </Button>
        <Button disabled={act.isPending} onClick={() => act.mutate({ action: 'inform-parents', ...withText })}>
          Parents informed
        </Button>
        <Button disabled={act.isPending} onClick={() => act.mutate({ action: 'close', ...withText })}>
          Close with outcome
        </Button>
      </div>
    </div>
  );
}
