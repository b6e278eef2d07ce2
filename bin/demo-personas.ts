import type { keyPeople } from '../src/demo-tenant/school-generator';

/** The demo personas by the short names `npm run demo -- --as <name>` takes, and who each is. */
export const PERSONA_KEYS = {
  teacher: 'teacher',
  dsl: 'dsl',
  deputy: 'deputyDsl',
  head: 'headteacher',
  admin: 'itAdmin',
  student: 'student',
  chair: 'governor',
} as const satisfies Record<string, keyof ReturnType<typeof keyPeople>>;
export type PersonaKey = keyof typeof PERSONA_KEYS;
