import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import type { DemoTenant } from './graph-handlers';

/**
 * Serves the demo tenant's msw handlers over real HTTP, so the app (and anyone with curl) talks to
 * it exactly as to graph.microsoft.com. `/_demo/*` lets a demo or a test switch throttling on.
 */
export interface RunningDemoTenant {
  url: string;
  /** The Graph base URL to configure: `${url}/v1.0`. */
  graphBaseUrl: string;
  server: Server;
  close(): Promise<void>;
}

/** Restify patches http.ServerResponse.writeHead for the whole process and its version returns nothing, so never chain. */
function reply(res: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  res.writeHead(status, headers);
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startDemoTenantServer(tenant: DemoTenant, port = 0, host = '127.0.0.1'): Promise<RunningDemoTenant> {
  const server = createServer(async (req, res) => {
    try {
      const origin = `http://${req.headers.host ?? `${host}:${port}`}`;
      const url = new URL(req.url ?? '/', origin);
      const body = await readBody(req);

      if (url.pathname === '/_demo/throttle' && req.method === 'POST') {
        const {
          count = 1,
          retryAfterSeconds = 1,
          match,
        } = JSON.parse(body.toString() || '{}') as { count?: number; retryAfterSeconds?: number; match?: string };
        tenant.throttle.throttleNext(count, { retryAfterSeconds, ...(match ? { match: new RegExp(match) } : {}) });
        reply(res, 204, {});
        return;
      }
      if (url.pathname === '/_demo/outbox') {
        reply(res, 200, { 'content-type': 'application/json' }, JSON.stringify(tenant.school.outbox, null, 2));
        return;
      }
      if (url.pathname === '/_demo/stats') {
        reply(res, 200, { 'content-type': 'application/json' }, JSON.stringify({ ...tenant.stats, throttled: tenant.throttle.throttled }));
        return;
      }

      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const request = new Request(url, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length && req.method !== 'GET' && req.method !== 'HEAD' ? { body: new Uint8Array(body) } : {}),
      });
      const response = await getResponse(tenant.handlers, request);
      if (!response) {
        reply(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'NotFound', message: 'Not a Graph URL' } }));
        return;
      }
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      reply(res, response.status, out, Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      reply(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'InternalServerError', message: (e as Error).message } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://${host}:${actual}`;
  return {
    url,
    graphBaseUrl: `${url}/v1.0`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
