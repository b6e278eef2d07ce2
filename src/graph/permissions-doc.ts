import { APP_PERMISSIONS, AUDIT_ONLY_PERMISSIONS, apiPermissionsMarkdown, appPermissionsMarkdown } from './permissions';

/** The parts of docs/permissions.md written from the permission table, by marker name. */
export function generatedSections(): Record<string, string> {
  const list = (ps: readonly string[]) => ps.map((p) => `\`${p}\``).join(', ');
  return {
    'api-permissions': apiPermissionsMarkdown(),
    capabilities: appPermissionsMarkdown(),
    'app-permissions': list(APP_PERMISSIONS),
    'audit-only-permissions': list(AUDIT_ONLY_PERMISSIONS),
  };
}

/** Rewrites each `<!-- generated:x -->...<!-- /generated:x -->` block of a document from the table. */
export function fillGeneratedSections(doc: string): string {
  let out = doc;
  for (const [name, body] of Object.entries(generatedSections())) {
    out = out.replace(new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`), (_m, a: string, b: string) => `${a}${body}${b}`);
  }
  return out;
}
