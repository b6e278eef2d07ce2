import { InvalidInput, NotAllowed as DomainNotAllowed, NotFound } from '../errors/domain-errors';

/** A report a person can fix: one line naming the field. */
export class InvalidReport extends InvalidInput {
  constructor(message: string) {
    super(message, 'invalid-report');
  }
}
/** Not theirs to see or act on. */
export class NotAllowed extends DomainNotAllowed {
  constructor(message: string) {
    super(message, 'forbidden');
  }
}
/** Only the safeguarding team, who may see every incident, learn that an id names none. */
export class NoSuchIncident extends NotFound {
  constructor(message = 'No incident has that id.') {
    super(message, 'no-such-incident');
  }
}
