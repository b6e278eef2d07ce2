import type { Person } from '../../src/school/school-directory';

/** A teacher in the school's directory, as the bot's specs address her. */
export const amy: Person = {
  id: 'aad-amy',
  displayName: 'Amy Clarke',
  userPrincipalName: 'amy@demo.example',
  mail: null,
  kind: 'staff',
  classifiedBy: 'group',
  roles: ['teacher'],
};
