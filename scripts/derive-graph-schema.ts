/**
 * Derives from Microsoft Graph v1.0's CSDL (`../shared/graph/v1.0-Prod.csdl`, copied from
 * microsoftgraph/msgraph-metadata `schemas/v1.0-Prod.csdl`) the part of the schema the demo tenant
 * checks requests against, and writes it to `src/demo-tenant/graph-schema.json`. Tests read that
 * file, never the CSDL (a school's clone has no ../shared).
 *
 * What is kept: every entity set and singleton (name and type: cheap, and it lets the demo tell a
 * real segment it does not model from a made-up one); and every entity and complex type reachable
 * from the ROOTS below through base types, derived types (casts), navigation properties,
 * complex-typed properties and the operations bound to them, with their property names, navigation
 * properties, keys and bound functions and actions. Primitive and enum property types are dropped
 * (the checks only need to know a property exists and, for a complex one, what it holds).
 *
 * Compiled with the server (`npm run build:server`), run with
 * `node dist/scripts/derive-graph-schema.js [path/to/v1.0-Prod.csdl] [commit]`, or `npm run derive:graph-schema`.
 * When the app starts using a new entity set or singleton, add it to ROOTS and run this again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DerivedOperation, DerivedSchema, DerivedType } from '../src/demo-tenant/graph-schema-format';

/** The entity sets and singletons the app (and the demo tenant) address. */
export const ROOTS = [
  'users',
  'groups',
  'education',
  'sites',
  'drives',
  'chats',
  'teams',
  'subscriptions',
  'organization',
  'subscribedSkus',
  'admin',
  'policies',
  'communications',
  'teamwork',
  'appCatalogs',
  'directoryObjects',
];

/**
 * Navigation paths the app follows further than MAX_STEPS reaches, from a singleton whose other
 * navigations it never uses (`/security` holds alerts, cases, incidents...): only the types along
 * the path are kept (with their bases, complex properties and derived types), not the singleton's
 * every branch. The audit's change feed is the unified audit log, four steps down
 * (security-auditlogquery-list-records.md: `GET /security/auditLog/queries/{id}/records`).
 */
export const PATHS = [['security', 'auditLog', 'queries', 'records']];

export const SOURCE = {
  repository: 'microsoftgraph/msgraph-metadata',
  path: 'schemas/v1.0-Prod.csdl',
  commit: 'f54f11b60956ea7b185ca0447b2b80805836ec7b',
  date: '2026-08-20',
};

const PREFIX = 'microsoft.graph.';
/** How many navigation steps from a root a type may be and still be kept: the app's deepest paths (`/users/{id}/mailFolders/inbox/messageRules`, `/education/users/{id}/taughtClasses`) take two, and three would keep nearly the whole schema (570 kB instead of 200 kB). */
export const MAX_STEPS = Number(process.env.GRAPH_SCHEMA_STEPS ?? 2);
const attr = (line: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(line)?.[1];

export function deriveGraphSchema(csdl: string, commit = SOURCE.commit): DerivedSchema {
  const aliases = new Map<string, string>();
  const all = new Map<string, DerivedType>();
  const enumsAndPrimitives = new Set<string>();
  const operations = new Map<string, Map<string, DerivedOperation>>();
  const entitySets: Record<string, string> = {};
  const singletons: Record<string, string> = {};

  let namespace = '';
  let current: DerivedType | undefined;
  let operation: { kind: 'function' | 'action'; name: string; binding?: string; returns: string } | undefined;

  /** Full name without the `microsoft.graph.` prefix; `[]` when a collection. */
  const typeName = (raw: string): string => {
    const collection = /^Collection\((.*)\)$/.exec(raw);
    const inner = collection ? collection[1]! : raw;
    if (inner.startsWith('Edm.')) return '';
    const dot = inner.lastIndexOf('.');
    const ns = inner.slice(0, dot);
    const full = `${aliases.get(ns) ?? ns}.${inner.slice(dot + 1)}`;
    const short = full.startsWith(PREFIX) ? full.slice(PREFIX.length) : full;
    return short + (collection ? '[]' : '');
  };
  const qualify = (name: string) => {
    const full = `${namespace}.${name}`;
    return full.startsWith(PREFIX) ? full.slice(PREFIX.length) : full;
  };

  // The CSDL is one element per line; two passes so aliases are known before any type refers to them.
  const lines = csdl.split('\n');
  for (const line of lines) {
    if (line.includes('<Schema ')) {
      const ns = attr(line, 'Namespace')!;
      const alias = attr(line, 'Alias');
      if (alias) aliases.set(alias, ns);
    }
  }
  for (const line of lines) {
    const t = line.trim();
    if (t.startsWith('<Schema ')) namespace = attr(t, 'Namespace')!;
    else if (t.startsWith('<EnumType ') || t.startsWith('<TypeDefinition ')) enumsAndPrimitives.add(qualify(attr(t, 'Name')!));
    else if (t.startsWith('<EntityType ') || t.startsWith('<ComplexType ')) {
      const base = attr(t, 'BaseType');
      current = {
        kind: t.startsWith('<EntityType') ? 'entity' : 'complex',
        props: {},
        ...(base ? { base: typeName(base) } : {}),
        ...(attr(t, 'Abstract') === 'true' ? { abstract: true as const } : {}),
      };
      all.set(qualify(attr(t, 'Name')!), current);
      if (t.endsWith('/>')) current = undefined;
    } else if (t === '</EntityType>' || t === '</ComplexType>') current = undefined;
    else if (current && t.startsWith('<PropertyRef ')) (current.key ??= []).push(attr(t, 'Name')!);
    else if (current && t.startsWith('<Property ')) current.props[attr(t, 'Name')!] = typeName(attr(t, 'Type')!).replace(/\[\]$/, '');
    else if (current && t.startsWith('<NavigationProperty ')) (current.nav ??= {})[attr(t, 'Name')!] = typeName(attr(t, 'Type')!);
    else if ((t.startsWith('<Function ') || t.startsWith('<Action ')) && attr(t, 'IsBound') === 'true') {
      operation = { kind: t.startsWith('<Function') ? 'function' : 'action', name: attr(t, 'Name')!, returns: '' };
    } else if (operation && t.startsWith('<Parameter ') && operation.binding === undefined) operation.binding = typeName(attr(t, 'Type')!);
    else if (operation && t.startsWith('<ReturnType ')) operation.returns = typeName(attr(t, 'Type')!);
    else if (operation && (t === '</Function>' || t === '</Action>')) {
      if (operation.binding) {
        const bound = operations.get(operation.binding) ?? new Map<string, DerivedOperation>();
        bound.set(operation.name, [operation.kind, operation.returns]);
        operations.set(operation.binding, bound);
      }
      operation = undefined;
    } else if (t.startsWith('<EntitySet ')) entitySets[attr(t, 'Name')!] = typeName(attr(t, 'EntityType')!);
    else if (t.startsWith('<Singleton ')) singletons[attr(t, 'Name')!] = typeName(attr(t, 'Type')!);
  }
  // Enum-typed properties name a non-primitive type: the checks treat them as primitive.
  for (const type of all.values()) for (const [p, ty] of Object.entries(type.props)) if (enumsAndPrimitives.has(ty)) type.props[p] = '';

  const derived = new Map<string, string[]>();
  for (const [name, type] of all) if (type.base) derived.set(type.base, [...(derived.get(type.base) ?? []), name]);

  // Reachability from the roots the app uses.
  // Breadth first, so each type is kept at the fewest navigation steps from a root; a navigation
  // property or an operation's result is one step, a base, derived or complex type is none. A type
  // met as some other type's base brings its own bases but not its other derived types (every entity
  // derives from `entity`: following those would keep the whole schema).
  const depthOf = new Map<string, number>();
  const asBaseOnly = new Set<string>();
  let frontier = ROOTS.map((r) => entitySets[r] ?? singletons[r]).filter((x): x is string => !!x);
  for (const r of frontier) depthOf.set(r, 0);
  for (let depth = 0; frontier.length;) {
    const next: string[] = [];
    const visit = (name: string, step: number, baseOnly = false) => {
      const n = name.replace(/\[\]$/, '');
      if (!n || !all.has(n) || depth + step > MAX_STEPS) return;
      if (depthOf.has(n) && !(asBaseOnly.has(n) && !baseOnly)) return;
      if (baseOnly) asBaseOnly.add(n);
      else asBaseOnly.delete(n);
      depthOf.set(n, Math.min(depthOf.get(n) ?? Infinity, depth + step));
      (step ? next : frontier).push(n);
    };
    for (let i = 0; i < frontier.length; i++) {
      const name = frontier[i]!;
      const type = all.get(name)!;
      if (type.base) visit(type.base, 0, true);
      if (!asBaseOnly.has(name)) for (const d of derived.get(name) ?? []) visit(d, 0);
      for (const ty of Object.values(type.props)) visit(ty, 0);
      for (const ty of Object.values(type.nav ?? {})) visit(ty, 1);
      for (const binding of [name, `${name}[]`]) for (const [, ret] of operations.get(binding)?.values() ?? []) visit(ret, 1);
    }
    frontier = next;
    depth += 1;
  }
  const kept = new Set(depthOf.keys());
  // A path's types, each with the parts that need no navigation step (bases, complex properties and
  // what derives from them); the singleton's other navigations stay out.
  const keepParts = (name: string) => {
    const n = name.replace(/\[\]$/, '');
    if (!n || !all.has(n) || kept.has(n)) return;
    kept.add(n);
    const type = all.get(n)!;
    if (type.base) keepParts(type.base);
    for (const ty of Object.values(type.props)) keepParts(ty);
    if (type.kind === 'complex') for (const d of derived.get(n) ?? []) keepParts(d);
  };
  for (const [root, ...steps] of PATHS) {
    let at = entitySets[root!] ?? singletons[root!];
    if (at) keepParts(at);
    for (const step of steps) {
      at = at && all.get(at)?.nav?.[step]?.replace(/\[\]$/, '');
      if (at) keepParts(at);
    }
  }

  const types: Record<string, DerivedType> = {};
  for (const name of [...kept].sort()) types[name] = all.get(name)!;
  const ops: Record<string, Record<string, DerivedOperation>> = {};
  for (const [binding, bound] of [...operations].sort(([a], [b]) => a.localeCompare(b))) {
    if (kept.has(binding.replace(/\[\]$/, ''))) ops[binding] = Object.fromEntries([...bound].sort(([a], [b]) => a.localeCompare(b)));
  }
  return {
    source: {
      ...SOURCE,
      commit,
      generatedBy: 'scripts/derive-graph-schema.ts',
      subset: `All entity sets and singletons; the types reachable from ${ROOTS.join(', ')} (base and derived types, navigation and complex properties, bound operations), and the types along ${PATHS.map((p) => `/${p.join('/')}`).join(', ')}, with property names only (primitive and enum types dropped); names without the microsoft.graph. prefix.`,
    },
    entitySets,
    singletons,
    types,
    operations: ops,
  };
}

if (require.main === module) {
  const csdlPath = resolve(process.argv[2] ?? resolve(__dirname, '../../../shared/graph/v1.0-Prod.csdl'));
  const out = resolve(__dirname, '../../src/demo-tenant/graph-schema.json');
  const schema = deriveGraphSchema(readFileSync(csdlPath, 'utf8'), process.argv[3]);
  writeFileSync(out, JSON.stringify(schema) + '\n');
  console.log(`${out}: ${Object.keys(schema.types).length} types, ${Object.keys(schema.operations).length} bindings, from ${csdlPath}`);
}
