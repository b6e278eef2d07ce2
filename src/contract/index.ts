/**
 * The tab API contract: request and response schemas of every route, one module per feature.
 * The server validates with them (src/server); the tab imports the inferred types from here and
 * nothing else of src/ (decisions: rank 0, imports only zod).
 */
export * from './common';
export * from './me';
export * from './incidents';
export * from './aup';
export * from './audit';
export * from './lessons';
export * from './governance';
