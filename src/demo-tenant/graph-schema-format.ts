/** The shape of graph-schema.json, written by scripts/derive-graph-schema.ts from Graph's CSDL. */
/** A structural property maps to its complex type ('' when primitive or enum); a navigation property to its entity type, `[]`-suffixed when a collection. */
export interface DerivedType {
  kind: 'entity' | 'complex';
  base?: string;
  abstract?: true;
  key?: string[];
  props: Record<string, string>;
  nav?: Record<string, string>;
}

/** An operation bound to a type (`[]`-suffixed when bound to a collection): kind and return type (`[]`-suffixed when a collection, '' for none or primitive). */
export type DerivedOperation = ['function' | 'action', string];

export interface DerivedSchema {
  source: { repository: string; path: string; commit: string; date: string; generatedBy: string; subset: string };
  entitySets: Record<string, string>;
  singletons: Record<string, string>;
  types: Record<string, DerivedType>;
  operations: Record<string, Record<string, DerivedOperation>>;
}
