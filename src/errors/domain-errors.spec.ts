import { Conflict, InvalidInput, isDomainError, NotAllowed, NotFound, RefusedByPolicy, Unavailable } from './domain-errors';

describe('one family of domain errors', () => {
  it('each error says what kind of thing went wrong, so the edges map it once', () => {
    expect(
      [new InvalidInput('x'), new NotAllowed('x'), new NotFound('x'), new Conflict('x'), new RefusedByPolicy('x'), new Unavailable('x')].map((e) => e.kind),
    ).toEqual(['invalid', 'not-allowed', 'not-found', 'conflict', 'refused', 'unavailable']);
  });

  it('an error without its own code gets one from its class name', () => {
    class AuditRunning extends Conflict {}
    expect(new AuditRunning('busy').code).toBe('audit-running');
    expect(isDomainError(new Error('plain'))).toBe(false);
  });
});
