import { ThrottleControl } from './throttle-control';

describe('the demo tenant’s throttling model', () => {
  it('lets a burst through, then answers 429 with Retry-After until tokens come back', () => {
    let now = 0;
    const t = new ThrottleControl(() => now);
    t.rateLimit({ perSecond: 10, burst: 5 });
    const answers = Array.from({ length: 6 }, () => t.check('GET', '/users'));
    expect(answers).toEqual([undefined, undefined, undefined, undefined, undefined, 1]);
    now = 100; // 0.1 s: one token back
    expect(t.check('GET', '/users')).toBeUndefined();
    expect(t.check('GET', '/users')).toBe(1);
  });

  it('does not count the $batch envelope, only its members', () => {
    const t = new ThrottleControl(() => 0);
    t.rateLimit({ perSecond: 1, burst: 1 });
    expect(t.check('POST', '/$batch')).toBeUndefined();
    expect(t.check('GET', '/users/x/drive')).toBeUndefined();
    expect(t.check('GET', '/users/y/drive')).toBe(1);
  });

  it('throttles the next N matching requests on request', () => {
    const t = new ThrottleControl();
    t.throttleNext(2, { retryAfterSeconds: 3, match: /messageRules/ });
    expect(t.check('GET', '/users/a/drive')).toBeUndefined();
    expect(t.check('GET', '/users/a/mailFolders/inbox/messageRules')).toBe(3);
    expect(t.check('GET', '/users/b/mailFolders/inbox/messageRules')).toBe(3);
    expect(t.check('GET', '/users/c/mailFolders/inbox/messageRules')).toBeUndefined();
  });
});
