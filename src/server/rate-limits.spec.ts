import type { Request } from 'restify';
import { RateLimits, TooManyRequests } from './rate-limits';

const request = (peer: string, forwarded?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as unknown as Request;

describe('rate limits', () => {
  it('counts the TCP peer unless proxies are trusted, then only the entry the proxy appended', () => {
    expect(new RateLimits().address(request('10.0.0.5', '1.2.3.4'))).toBe('10.0.0.5');
    const behindAppService = new RateLimits({ trustedProxies: 1 });
    expect(behindAppService.address(request('10.0.0.5', 'forged, 81.2.69.160:51234'))).toBe('81.2.69.160');
    expect(behindAppService.address(request('10.0.0.5', '[2001:db8::1]:443'))).toBe('2001:db8::1');
    expect(behindAppService.address(request('10.0.0.5'))).toBe('10.0.0.5');
  });

  it('refuses past the allowance with how long to wait', async () => {
    const limits = new RateLimits({ personWrites: { points: 2, seconds: 60 } });
    await limits.spend('personWrites', 'p1');
    await limits.spend('personWrites', 'p1');
    const refused = await limits.spend('personWrites', 'p1').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequests);
    expect((refused as TooManyRequests).retryAfterSeconds).toBeGreaterThan(0);
    await expect(limits.spend('personWrites', 'p2')).resolves.toBeUndefined();
  });
});
