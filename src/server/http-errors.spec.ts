import { AuthError } from '../auth/identity';
import { Conflict, InvalidInput, NotAllowed, NotFound, RefusedByPolicy, Unavailable } from '../errors/domain-errors';
import { NoSuchIncident } from '../incidents/incident-service';
import { LessonRefused } from '../lessons/lesson-service';
import { httpAnswerFor } from './http-errors';

describe('a refusal becomes an HTTP answer in one place', () => {
  it('maps each kind of domain error to its status, with the error’s own code and message', () => {
    const answers = [new InvalidInput('a'), new NotAllowed('b'), new NotFound('c'), new Conflict('d'), new RefusedByPolicy('e'), new Unavailable('f')].map(
      (e) => httpAnswerFor(e)?.status,
    );
    expect(answers).toEqual([400, 403, 404, 409, 422, 503]);
  });

  it('answers a feature’s error by its kind, never by its class', () => {
    expect(httpAnswerFor(new NoSuchIncident())).toEqual({ status: 404, body: { error: { code: 'no-such-incident', message: 'No incident has that id.' } } });
    expect(httpAnswerFor(new LessonRefused('a guest is in the class team'))).toEqual({
      status: 422,
      body: { error: { code: 'refused-by-policy', message: 'a guest is in the class team' } },
    });
  });

  it('answers a missing or refused token too, and leaves a fault (500) to the caller, who logs it', () => {
    expect(httpAnswerFor(new AuthError(401, 'sign in'))?.body.error.code).toBe('unauthenticated');
    expect(httpAnswerFor(new AuthError(403, 'not yours'))?.body.error.code).toBe('forbidden');
    expect(httpAnswerFor(new Error('database gone'))).toBeUndefined();
  });
});
