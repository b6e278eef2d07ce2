import { Conflict, DomainError, InvalidInput, isDomainError, NotAllowed, NotFound, RefusedByPolicy, Unavailable } from './domain-errors';
import { InvalidLesson, LessonRefused, LessonsNotPermitted, NotATeacher } from '../lessons/lesson-service';
import { InvalidReport, NoSuchIncident, NotAllowed as NotTheirIncident } from '../incidents/incident-service';

describe('one family of domain errors', () => {
  it('each error says what kind of thing went wrong, so the edges map it once', () => {
    expect([new InvalidInput('x'), new NotAllowed('x'), new NotFound('x'), new Conflict('x'), new RefusedByPolicy('x'), new Unavailable('x')].map((e) => e.kind)).toEqual([
      'invalid',
      'not-allowed',
      'not-found',
      'conflict',
      'refused',
      'unavailable',
    ]);
  });

  it('a feature’s own errors belong to the family and keep the codes the API has always answered with', () => {
    const cases: Array<[DomainError, string, string]> = [
      [new InvalidLesson('title is required'), 'invalid', 'invalid-lesson'],
      [new LessonRefused('outsiders'), 'refused', 'refused-by-policy'],
      [new NotATeacher('teachers only'), 'not-allowed', 'forbidden'],
      [new LessonsNotPermitted('not granted'), 'unavailable', 'not-available'],
      [new InvalidReport('category'), 'invalid', 'invalid-report'],
      [new NotTheirIncident('not yours'), 'not-allowed', 'forbidden'],
      [new NoSuchIncident(), 'not-found', 'no-such-incident'],
    ];
    for (const [error, kind, code] of cases) {
      expect(isDomainError(error)).toBe(true);
      expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
    }
  });

  it('an error without its own code gets one from its class name', () => {
    class AuditRunning extends Conflict {}
    expect(new AuditRunning('busy').code).toBe('audit-running');
    expect(isDomainError(new Error('plain'))).toBe(false);
  });
});
