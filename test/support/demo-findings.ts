import { CONTROLS } from '../../src/audit/controls/catalogue';
import type { DemoSchool } from '../../src/demo-tenant/school-model';

/**
 * What an audit of the demo finds: every violation seeded in the demo tenant, and one per Teams
 * control from the Teams policy export the demo's configuration names (config/demo-teams-policies.json).
 */
export function demoFindingCount(school: DemoSchool): number {
  return school.seededViolations.length + CONTROLS.filter((c) => c.area === 'teams.policies').length;
}
