import { isDomainError, type DomainError } from '../src/errors/domain-errors';
import { InvalidReport, NoSuchIncident, NotAllowed as NotTheirIncident } from '../src/incidents/incident-service';
import { InvalidLesson, LessonRefused, LessonsNotPermitted, NotATeacher } from '../src/lessons/lesson-service';

// Here rather than in src/errors/: the error family sits below the features and never imports them
// (test/import-direction.test.ts).
describe('the features’ errors join the one family', () => {
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
});
