import type { SchoolConfig } from '../config/school-config';
import { TEMPLATE_CLAUSES, type ClauseKey } from '../config/policy-clauses';
import type { PolicyRef } from './findings';

export type { ClauseKey };

/** How a finding names the clause it breaks. */
export type Cite = (key: ClauseKey) => PolicyRef;

/** The name a school without the template's policy configured sees: a document, never another school's. */
const TEMPLATE_DOCUMENT = 'E-Safety Policy';

function reference(document: string, clause: number, section: string | undefined, quote: string): PolicyRef {
  return {
    document,
    section: section ? `clause ${clause}, ${section}` : `clause ${clause}`,
    quote,
    // As a person would say it: "the Remote Working section of the E-Safety Policy (clause 2)".
    citation: section ? `the ${section} section of the ${document} (clause ${clause})` : `clause ${clause} of the ${document}`,
  };
}

/**
 * The school's own words for each clause: where its configuration (`clauses:`, quotes filled in
 * from its policy files when it was loaded) says they are, in its own documents' names.
 */
export function citeFrom(config: Pick<SchoolConfig, 'clauses' | 'policies'>): Cite {
  return (key) => {
    const where = config.clauses?.[key];
    if (!where?.quote) return citeTemplate(key);
    const document = config.policies.find((p) => p.id === where.policy)?.title ?? TEMPLATE_DOCUMENT;
    return reference(document, where.clause, where.section, where.quote);
  };
}

/** The shipped templates' clause (config/policy-clauses.ts): for a school that has not configured that policy, and for the catalogue. */
export const citeTemplate: Cite = (key) => {
  const t = TEMPLATE_CLAUSES[key];
  return reference(TEMPLATE_DOCUMENT, t.clause, t.section, t.quote);
};
