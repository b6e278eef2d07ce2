import schemaJson from './graph-schema.json';
import type { DerivedSchema, DerivedType } from './graph-schema-format';

/**
 * Walks a Graph v1.0 request through the schema Graph itself publishes, so the demo tenant refuses
 * what real Graph refuses: a path segment that is no entity set, singleton, key, navigation or
 * structural property, cast or bound function/action; a `$select`, `$expand`, `$filter` or
 * `$orderby` property the resolved type does not have. The schema is `graph-schema.json`, derived
 * from Microsoft's CSDL (microsoftgraph/msgraph-metadata `schemas/v1.0-Prod.csdl`, commit in its
 * `source`) by scripts/derive-graph-schema.ts.
 *
 * Graph answers both with 400 BadRequest (OData's own messages), for example
 * "Resource not found for the segment 'auditLog'." (microsoftgraph/msgraph-beta-sdk-python#764,
 * microsoftgraph/microsoft-graph-docs#21648) and "Could not find a property named
 * 'exts1dr45ta_extmyextension' on type 'microsoft.graph.user'." (microsoftgraph/microsoft-graph-docs#3957,
 * microsoft/botframework-solutions#1146).
 */
export const graphSchema = schemaJson as unknown as DerivedSchema;

export type Resolution = { ok: true; type: string; collection: boolean } | { ok: false; message: string; subsetLacks?: true };

const PREFIX = 'microsoft.graph.';
const full = (type: string) => `${PREFIX}${type}`;
const fail = (message: string): Resolution => ({ ok: false, message });
const segmentError = (segment: string) => fail(`Resource not found for the segment '${segment}'.`);
const propertyError = (name: string, type: string) => fail(`Could not find a property named '${name}' on type '${full(type)}'.`);

/** Graph matches names without regard to case (its docs filter onlineMeetings on `JoinWebUrl`, api-reference/v1.0/api/onlinemeeting-get.md). */
function lookup<T>(record: Record<string, T> | undefined, name: string): T | undefined {
  if (!record) return undefined;
  if (Object.hasOwn(record, name)) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

/** A type and its bases, nearest first. */
function chain(type: string): DerivedType[] {
  const out: DerivedType[] = [];
  for (let t = graphSchema.types[type]; t; t = t.base ? graphSchema.types[t.base] : undefined) out.push(t);
  return out;
}
function baseNames(type: string): string[] {
  const out: string[] = [];
  for (let name: string | undefined = type; name; name = graphSchema.types[name]?.base) out.push(name);
  return out;
}
const isDerivedFrom = (type: string, ancestor: string) => baseNames(type).includes(ancestor);

const derivedCache = new Map<string, string[]>();
function derivedTypes(type: string): string[] {
  let found = derivedCache.get(type);
  if (!found) derivedCache.set(type, (found = Object.keys(graphSchema.types).filter((t) => t !== type && isDerivedFrom(t, type))));
  return found;
}
const typeByLowerName = new Map(Object.keys(graphSchema.types).map((t) => [t.toLowerCase(), t]));

interface Member {
  kind: 'property' | 'navigation';
  /** Complex or entity type name; '' for primitive and enum properties. */
  type: string;
  collection: boolean;
}

/** A declared (or inherited) structural or navigation property. */
function member(type: string, name: string): Member | undefined {
  for (const t of chain(type)) {
    const nav = lookup(t.nav, name);
    if (nav !== undefined) return { kind: 'navigation', type: nav.replace(/\[\]$/, ''), collection: nav.endsWith('[]') };
    const prop = lookup(t.props, name);
    if (prop !== undefined) return { kind: 'property', type: prop, collection: false };
  }
  return undefined;
}

/**
 * Directory collections (`/groups/{id}/members`, `transitiveMembers`, `owners`, `manager`) are typed
 * directoryObject, yet Graph answers `$select`/`$filter` with the properties of the users and groups
 * they hold (api-reference/v1.0/api/group-list-members.md, "Optional query parameters").
 */
function memberIncludingDerived(type: string, name: string): Member | undefined {
  const own = member(type, name);
  if (own || type !== 'directoryObject') return own;
  for (const d of derivedTypes(type)) {
    const found = member(d, name);
    if (found) return found;
  }
  return undefined;
}

/** Schema extension and directory extension properties on open types such as user and group (api-reference/v1.0/resources/extensibility-overview.md). */
const isExtensionProperty = (name: string) => /^(ext[a-z0-9]{8}_|extension_[0-9a-f]{32}_)/i.test(name);

function operation(type: string, collection: boolean, name: string): [string, string] | undefined {
  for (const base of baseNames(type)) {
    const found = lookup(graphSchema.operations[collection ? `${base}[]` : base], name);
    if (found) return found;
  }
  return undefined;
}

function castTarget(segment: string, type: string): string | undefined {
  const name = segment.replace(/^(microsoft\.graph\.|graph\.)/i, '');
  if (name === segment) return undefined;
  const target = typeByLowerName.get(name.toLowerCase());
  return target && isDerivedFrom(target, type) ? target : undefined;
}

interface State {
  type: string;
  collection: boolean;
  /** 'primitive' once the path reaches a primitive property or an operation's primitive result. */
  kind: 'entity' | 'complex' | 'primitive';
}

const subsetLacks = (type: string): Resolution => ({
  ok: false,
  subsetLacks: true,
  message: `The demo tenant's Graph schema subset does not hold type '${full(type)}': add its entity set or singleton to ROOTS (or its navigation path to PATHS) in scripts/derive-graph-schema.ts and run it again.`,
});

function stateOf(type: string, collection: boolean): State | Resolution {
  if (!type) return { type: '', collection, kind: 'primitive' };
  const t = graphSchema.types[type];
  if (!t) return subsetLacks(type);
  return { type, collection, kind: t.kind };
}

/** Splits `name(args)` (a key in parentheses or a function's parameters). */
function splitParens(segment: string): { name: string; parens: string | undefined } {
  const m = /^([^(]*)\((.*)\)$/.exec(segment);
  return m ? { name: m[1]!, parens: m[2] } : { name: segment, parens: undefined };
}

/** Resolves the path after `/v1.0` (e.g. `/users/{id}/manager`) to the type it addresses. */
export function resolvePath(path: string): Resolution {
  // Path-based addressing (concepts/onedrive/addressing-driveitems.md): `root:/a/b.docx` or
  // `root:/a/b.docx:/permissions` is the root's descendant, a driveItem like the root itself.
  // SharePoint names cannot contain ':', so the path ends at the next one.
  const segments = path
    .replace(/\/(root|items\/[^/]+):\/[^:]*(?::|$)/, '/$1')
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  if (segments.length === 0) return segmentError('');
  const first = splitParens(segments[0]!);
  let state: State;
  const set = lookup(graphSchema.entitySets, first.name);
  const singleton = lookup(graphSchema.singletons, first.name);
  if (set !== undefined) {
    const s = stateOf(set, first.parens === undefined);
    if ('ok' in s) return s;
    state = s;
  } else if (singleton !== undefined) {
    const s = stateOf(singleton, false);
    if ('ok' in s) return s;
    state = s;
  } else return segmentError(segments[0]!);

  for (const raw of segments.slice(1)) {
    const { name, parens } = splitParens(raw);
    if (state.kind === 'primitive') {
      if (raw === '$value') continue;
      return segmentError(raw);
    }
    if (raw === '$count' && state.collection) return { ok: true, type: '', collection: false };
    if ((raw === '$ref' || raw === '$value') && state.kind === 'entity') return { ok: true, type: state.type, collection: state.collection };

    const cast = castTarget(raw, state.type);
    if (cast) {
      const s = stateOf(cast, state.collection);
      if ('ok' in s) return s;
      state = s;
      continue;
    }
    const op = operation(state.type, state.collection, name);
    if (op) {
      const [, returns] = op;
      const s = stateOf(returns.replace(/\[\]$/, ''), returns.endsWith('[]'));
      if ('ok' in s) return s;
      state = s;
      continue;
    }
    if (state.collection) {
      // Anything else after a collection of entities is a key (`/users/{id}`, `/mailFolders/inbox`).
      if (state.kind !== 'entity') return segmentError(raw);
      state = { ...state, collection: false };
      continue;
    }
    const m = member(state.type, name);
    if (!m) return segmentError(raw);
    const s = stateOf(m.type, m.collection);
    if ('ok' in s) return s;
    state = s;
    if (parens !== undefined && state.collection) state = { ...state, collection: false };
  }
  return { ok: true, type: state.type, collection: state.collection };
}

/** Splits on commas outside parentheses and quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth += 1;
    else if (!quoted && c === ')') depth -= 1;
    else if (!quoted && depth === 0 && c === separator) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Checks a property path (`grantedToV2/user/id`) from a type; casts and `$count` are allowed on the way. */
function checkPropertyPath(type: string, path: string): Resolution | undefined {
  let current = type;
  for (const part of path.split('/')) {
    if (part === '$count' || part === '*') return undefined;
    const cast = castTarget(part, current);
    if (cast) {
      current = cast;
      continue;
    }
    const m = memberIncludingDerived(current, part);
    if (!m) {
      if (isExtensionProperty(part)) return undefined;
      return propertyError(part, current);
    }
    if (!m.type) return undefined;
    if (!graphSchema.types[m.type]) return subsetLacks(m.type);
    current = m.type;
  }
  return undefined;
}

function checkSelect(type: string, select: string): Resolution | undefined {
  for (const item of splitTopLevel(select, ',')) {
    const problem = checkPropertyPath(type, item);
    if (problem) return problem;
  }
  return undefined;
}

const OPERATORS = new Set([
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'and',
  'or',
  'not',
  'in',
  'has',
  'add',
  'sub',
  'mul',
  'div',
  'mod',
  'true',
  'false',
  'null',
  'asc',
  'desc',
]);

/** Every property path a `$filter` or `$orderby` expression names, checked against the type (lambda variables against their collection's element type). */
function checkExpression(type: string, expression: string, variables = new Map<string, string>()): Resolution | undefined {
  // Drop string literals first: their words are values, not properties.
  const text = expression.replace(/'(?:[^']|'')*'/g, "''");
  // `path/any(v: body)` and `path/all(...)`: check path, then body with v bound to the element type.
  // Any/All in any case: Graph's own docs write `resourceProvisioningOptions/Any(x:x eq 'Team')` (api-reference/v1.0/api/team-list.md).
  const lambda = /([A-Za-z_][\w.]*(?:\/[A-Za-z_][\w.]*)*)\/(any|all)\(\s*([A-Za-z_]\w*)\s*:/i.exec(text);
  if (lambda) {
    const open = lambda.index + lambda[0].length;
    let depth = 1;
    let close = open;
    for (; close < text.length && depth > 0; close++) {
      if (text[close] === '(') depth += 1;
      else if (text[close] === ')') depth -= 1;
    }
    const collectionPath = lambda[1]!;
    const outer = checkExpression(type, text.slice(0, lambda.index) + collectionPath + text.slice(close), variables);
    if (outer) return outer;
    const element = elementTypeOf(type, collectionPath, variables);
    if (element && typeof element === 'object') return element;
    const inner = new Map(variables);
    inner.set(lambda[3]!, element ?? '');
    return checkExpression(type, text.slice(open, close - 1), inner);
  }
  const tokens = text.match(/[A-Za-z_$][\w.]*(?:\/[A-Za-z_$][\w.]*)*(\s*\()?/g) ?? [];
  for (const token of tokens) {
    if (token.endsWith('(')) continue; // a function: startswith(, contains(, ...
    if (OPERATORS.has(token.toLowerCase()) || /^\d/.test(token)) continue;
    const [head, ...rest] = token.split('/');
    if (variables.has(head!)) {
      const element = variables.get(head!)!;
      if (element && rest.length) {
        const problem = checkPropertyPath(element, rest.join('/'));
        if (problem) return problem;
      }
      continue;
    }
    const problem = checkPropertyPath(type, token);
    if (problem) return problem;
  }
  return undefined;
}

/** The complex or entity type a collection path holds ('' for primitives). */
function elementTypeOf(type: string, path: string, variables: Map<string, string>): string | Resolution | undefined {
  const [head, ...rest] = path.split('/');
  let current = variables.has(head!) ? variables.get(head!)! : type;
  for (const part of variables.has(head!) ? rest : [head!, ...rest]) {
    if (!current) return '';
    const m = memberIncludingDerived(current, part);
    if (!m) return propertyError(part, current);
    current = m.type;
  }
  return current;
}

function checkExpand(type: string, expand: string): Resolution | undefined {
  for (const item of splitTopLevel(expand, ',')) {
    const { name, parens } = splitParens(item);
    if (name === '*') continue;
    const m = member(type, name);
    if (!m) return propertyError(name, type);
    if (m.kind !== 'navigation') {
      return fail(`Property '${name}' on type '${full(type)}' is not a navigation property or complex property. Only navigation properties can be expanded.`);
    }
    if (parens) {
      if (!graphSchema.types[m.type]) return subsetLacks(m.type);
      const problem = checkQuery(m.type, new URLSearchParams(splitTopLevel(parens, ';').join('&')));
      if (problem) return problem;
    }
  }
  return undefined;
}

function checkQuery(type: string, params: URLSearchParams): Resolution | undefined {
  const select = params.get('$select');
  const expand = params.get('$expand');
  const filter = params.get('$filter');
  const orderby = params.get('$orderby');
  return (
    (select ? checkSelect(type, select) : undefined) ??
    (expand ? checkExpand(type, expand) : undefined) ??
    (filter ? checkExpression(type, filter) : undefined) ??
    (orderby ? checkExpression(type, orderby) : undefined)
  );
}

/** Resolves a whole request: its path, then its query options against the type the path reaches. */
export function resolveGraphRequest(pathAndQuery: string): Resolution {
  const url = new URL(pathAndQuery, 'https://graph.microsoft.com');
  const path = url.pathname.replace(/^\/v1\.0(?=\/|$)/, '');
  if (path === '/$batch' || path === '/$metadata') return { ok: true, type: '', collection: false };
  const resolved = resolvePath(path);
  if (!resolved.ok) return resolved;
  if (!resolved.type) return resolved;
  return checkQuery(resolved.type, url.searchParams) ?? resolved;
}
