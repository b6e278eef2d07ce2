import type { Request, Response, Next, Server } from 'restify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** How many of one kind of request a key (a person, an address) may make in a window. */
export interface Allowance {
  points: number;
  seconds: number;
}

export interface RateLimitSettings {
  /** Writes by one signed-in person: reports, Confide, publishing, acceptances, lesson actions. */
  personWrites: Allowance;
  /** Writes from one address. A whole school can sit behind one address, so this is generous. */
  addressWrites: Allowance;
  /** Demo sign-ins from one address (in demo mode a sign-in needs no password). */
  signIns: Allowance;
  /**
   * Refused bearer tokens from one address (token spraying). Generous, and counted only for
   * refusals: a whole school can share one address, and one pupil must not lock everyone out.
   */
  refusedTokens: Allowance;
  /** Parent links opened or signed from one address: guessing links. */
  parentLinks: Allowance;
  /**
   * Proxies in front of the app that append to X-Forwarded-For (App Service's front end is one).
   * 0: the TCP peer is the caller.
   */
  trustedProxies: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  personWrites: { points: 30, seconds: 60 },
  addressWrites: { points: 600, seconds: 60 },
  signIns: { points: 30, seconds: 60 },
  refusedTokens: { points: 300, seconds: 60 },
  parentLinks: { points: 30, seconds: 60 },
  trustedProxies: 0,
};

/** Too many requests: a clear 429 with how long to wait. */
export class TooManyRequests extends Error {
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests. Please wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'} and try again.`);
  }
}

export function sendTooMany(res: Response, e: TooManyRequests): void {
  res.setHeader('retry-after', String(e.retryAfterSeconds));
  res.send(429, { error: { code: 'too-many-requests', message: e.message } });
}

// Bot Framework and Graph call these from Microsoft's own addresses, with their own throttling.
const SERVICE_ROUTES = ['/api/messages', '/api/graph/notifications'];
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Counters are kept in this instance's memory (rate-limiter-flexible's memory store): with N
 * instances behind a load balancer a caller gets at most N times each allowance. That still
 * stops a flood (200 reports in seconds), without a database write per request.
 */
export class RateLimits {
  readonly settings: RateLimitSettings;
  private readonly limiters: Record<Exclude<keyof RateLimitSettings, 'trustedProxies'>, RateLimiterMemory>;

  constructor(settings: Partial<RateLimitSettings> = {}) {
    this.settings = { ...DEFAULT_RATE_LIMITS, ...settings };
    const make = (a: Allowance) => new RateLimiterMemory({ points: a.points, duration: a.seconds });
    this.limiters = {
      personWrites: make(this.settings.personWrites),
      addressWrites: make(this.settings.addressWrites),
      signIns: make(this.settings.signIns),
      refusedTokens: make(this.settings.refusedTokens),
      parentLinks: make(this.settings.parentLinks),
    };
  }

  /** Counts one request; throws TooManyRequests once the allowance is spent. */
  async spend(kind: keyof RateLimits['limiters'], key: string): Promise<void> {
    try {
      await this.limiters[kind].consume(key);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw new TooManyRequests(Math.max(1, Math.ceil(e.msBeforeNext / 1000)));
      throw e;
    }
  }

  /** Refuses before any work when the allowance is already spent, without counting this one. */
  async check(kind: keyof RateLimits['limiters'], key: string): Promise<void> {
    const state = await this.limiters[kind].get(key);
    if (state && state.consumedPoints >= this.settings[kind].points) throw new TooManyRequests(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
  }

  address(req: Request): string {
    const peer = req.socket?.remoteAddress ?? 'unknown';
    if (this.settings.trustedProxies <= 0) return peer;
    const hops = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // Only the entries the trusted proxies appended are believed; the rest the caller wrote.
    const client = hops[hops.length - this.settings.trustedProxies];
    // App Service writes "ip:port" ("[v6]:port" for IPv6); the port changes with every connection.
    return client ? client.replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1').replace(/^\[(.+)\]:\d+$/, '$1') : peer;
  }

  /** Per-address limits, before routing and before any token or body is looked at. */
  register(server: Server): void {
    // Restify refuses async handlers that also take `next`, and only `next(false)` stops the chain.
    server.pre((req: Request, res: Response, next: Next) => {
      const path = req.path();
      const address = this.address(req);
      const spend = async () => {
        if (path.startsWith('/parent/')) await this.spend('parentLinks', address);
        else if (path === '/api/demo/sign-in' && req.method === 'POST') await this.spend('signIns', address);
        else if (WRITES.has(req.method ?? '') && !SERVICE_ROUTES.includes(path)) await this.spend('addressWrites', address);
        // An address that keeps presenting refused tokens waits before its next token is checked,
        // whatever the method (a write too).
        if (req.headers.authorization) await this.check('refusedTokens', address);
      };
      spend().then(
        () => next(),
        (e: unknown) => {
          if (!(e instanceof TooManyRequests)) return next(e as Error);
          sendTooMany(res, e);
          return next(false);
        },
      );
    });
  }
}
