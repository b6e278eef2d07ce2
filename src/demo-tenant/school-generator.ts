import { DEMO_APP_ID } from '../graph/graph-auth';
import { SeededRandom } from './random';
import type {
  DemoDrive,
  DemoDriveItem,
  DemoEvent,
  DemoGroup,
  DemoInboxRule,
  DemoOnlineMeeting,
  DemoPermission,
  DemoSchool,
  DemoSite,
  DemoUser,
  Recipient,
  SeededViolation,
} from './school-model';

export const DEMO_TENANT_ID = 'b1f0c9a2-5d4e-4c3b-9a8f-0e1d2c3b4a50';
export const DEMO_DOMAIN = 'demo-academy.org.uk';
export const DEMO_STUDENT_DOMAIN = `students.${DEMO_DOMAIN}`;
/** Microsoft 365 A3 for faculty / for students. */
export const SKU_A3_FACULTY = '4b590615-0888-425a-a965-b3bf7789848d';
export const SKU_A3_STUDENT = '7cfd9a2b-e110-4c39-bf20-c6a3f36a3121';

export interface SchoolSize {
  staff: number;
  students: number;
  governors: number;
}

export const DEFAULT_SIZE: SchoolSize = { staff: 60, students: 600, governors: 10 };

/** The same school at any size: about one member of staff to ten students, as in a secondary. */
export function sizeForUsers(totalUsers: number): SchoolSize {
  const governors = Math.max(5, Math.min(15, Math.round(totalUsers / 200)));
  const staff = Math.max(12, Math.round((totalUsers - governors) / 11));
  return { staff, students: Math.max(30, totalUsers - staff - governors), governors };
}

/** The named people the demo config and the personas rely on. Their UPNs never change. */
export const KEY_STAFF = [
  { key: 'headteacher', given: 'Helen', surname: 'Carter', jobTitle: 'Headteacher', department: 'Leadership' },
  { key: 'dsl', given: 'Daniel', surname: 'Okafor', jobTitle: 'Designated Safeguarding Lead', department: 'Pastoral' },
  { key: 'deputyDsl1', given: 'Priya', surname: 'Shah', jobTitle: 'Deputy DSL', department: 'Pastoral' },
  { key: 'deputyDsl2', given: 'Tom', surname: 'Evans', jobTitle: 'Deputy DSL', department: 'Pastoral' },
  { key: 'itAdmin', given: 'Sam', surname: 'Patel', jobTitle: 'IT Manager', department: 'IT' },
  { key: 'teacher', given: 'Amy', surname: 'Clarke', jobTitle: 'Teacher of English', department: 'English' },
] as const;
export const KEY_STUDENT = { given: 'Jamie', surname: 'Brown' };
export const KEY_GOVERNOR = { given: 'Margaret', surname: 'Hughes' };

const GIVEN = [
  'Olivia',
  'Noah',
  'Amelia',
  'Oliver',
  'Isla',
  'George',
  'Ava',
  'Leo',
  'Mia',
  'Arthur',
  'Ivy',
  'Muhammad',
  'Freya',
  'Harry',
  'Lily',
  'Jack',
  'Grace',
  'Theo',
  'Sophia',
  'Oscar',
  'Zara',
  'Kofi',
  'Aisha',
  'Ravi',
  'Chloe',
  'Ethan',
  'Nia',
  'Yusuf',
  'Ella',
  'Finn',
];
const SURNAMES = [
  'Smith',
  'Jones',
  'Taylor',
  'Williams',
  'Brown',
  'Davies',
  'Wilson',
  'Evans',
  'Thomas',
  'Johnson',
  'Roberts',
  'Walker',
  'Wright',
  'Robinson',
  'Thompson',
  'White',
  'Hughes',
  'Edwards',
  'Green',
  'Hall',
  'Ahmed',
  'Khan',
  'Mensah',
  'Nowak',
  'Singh',
  'Patel',
  'Osei',
  'Murphy',
  'Kelly',
  'Ali',
];
const SUBJECTS = ['English', 'Maths', 'Science', 'History', 'Geography', 'French', 'Art', 'Music', 'Computing', 'PE', 'RE', 'Drama'];
const FORMS = ['A', 'B', 'C', 'D'];

export function generateSchool(options: { seed?: number; size?: SchoolSize; now?: Date } = {}): DemoSchool {
  const seed = options.seed ?? 2026;
  const size = options.size ?? DEFAULT_SIZE;
  const now = options.now ?? new Date('2026-11-23T09:00:00Z');
  const rnd = new SeededRandom(seed);
  const seeded: SeededViolation[] = [];
  const usedUpns = new Set<string>();

  const upnFor = (given: string, surname: string, domain: string): string => {
    const base = `${given}.${surname}`.toLowerCase().replace(/[^a-z.]/g, '');
    let upn = `${base}@${domain}`;
    for (let n = 2; usedUpns.has(upn); n++) upn = `${base}${n}@${domain}`;
    usedUpns.add(upn);
    return upn;
  };

  const makeUser = (given: string, surname: string, role: DemoUser['role'], extra: Partial<DemoUser> = {}): DemoUser => {
    const domain = role === 'student' ? DEMO_STUDENT_DOMAIN : DEMO_DOMAIN;
    const upn = role === 'governor' ? upnFor(`gov.${given}`, surname, DEMO_DOMAIN) : upnFor(given, surname, domain);
    return {
      id: rnd.guid(),
      displayName: `${given} ${surname}`,
      givenName: given,
      surname,
      userPrincipalName: upn,
      mail: upn,
      mailNickname: upn.split('@')[0]!,
      userType: 'Member',
      accountEnabled: true,
      jobTitle: role === 'student' ? null : role === 'governor' ? 'Governor' : 'Teacher',
      department: null,
      assignedLicenses: [{ skuId: role === 'student' ? SKU_A3_STUDENT : SKU_A3_FACULTY, disabledPlans: [] }],
      role,
      primaryRole: role === 'student' ? 'student' : role === 'staff' ? 'teacher' : 'none',
      managerId: null,
      driveProvisioned: true,
      ...extra,
    };
  };

  // People -------------------------------------------------------------------------------------
  const staff: DemoUser[] = KEY_STAFF.map((k) => makeUser(k.given, k.surname, 'staff', { jobTitle: k.jobTitle, department: k.department }));
  while (staff.length < size.staff) {
    const subject = rnd.pick(SUBJECTS);
    staff.push(makeUser(rnd.pick(GIVEN), rnd.pick(SURNAMES), 'staff', { jobTitle: `Teacher of ${subject}`, department: subject }));
  }
  const head = staff[0]!;
  for (const s of staff.slice(1)) s.managerId = head.id;

  const students: DemoUser[] = [makeUser(KEY_STUDENT.given, KEY_STUDENT.surname, 'student')];
  while (students.length < size.students) students.push(makeUser(rnd.pick(GIVEN), rnd.pick(SURNAMES), 'student'));
  // Students who never opened OneDrive: Graph answers 404 for their drive.
  students.forEach((s, i) => {
    if (i > 0 && i % 7 === 3) s.driveProvisioned = false;
  });

  const governors: DemoUser[] = [makeUser(KEY_GOVERNOR.given, KEY_GOVERNOR.surname, 'governor')];
  while (governors.length < size.governors) governors.push(makeUser(rnd.pick(GIVEN), rnd.pick(SURNAMES), 'governor'));

  const guest = (name: string, email: string): DemoUser => {
    const [given = name, surname = ''] = name.split(' ');
    const ext = `${email.replace('@', '_')}#EXT#@${DEMO_DOMAIN}`;
    return {
      ...makeUser(given, surname, 'guest'),
      userPrincipalName: ext,
      mail: email,
      // An invited guest's alias is its sign-in name's local part (jo_example.com#EXT#).
      mailNickname: ext.split('@')[0]!,
      userType: 'Guest',
      jobTitle: null,
      assignedLicenses: [],
      primaryRole: 'none',
      driveProvisioned: false,
    };
  };
  const guestTutor = guest('Rob Tutor', 'rob.tutor@tutoring-co.example.com');
  const guestParent = guest('Kim Parent', 'kim.parent@gmail.com');
  const guestConsultant = guest('Lee Consultant', 'lee@edu-consult.example.net');
  const guests = [guestTutor, guestParent, guestConsultant];

  // Dates of birth for the Education API (retention runs from them). Year 7 to Year 13 by position,
  // without the random source, so adding them moved nobody else's data.
  students.forEach((s, i) => {
    const year = 7 + (i % 7);
    const born = new Date(Date.UTC(now.getUTCFullYear() - year - 5, 8 + (i % 12 > 3 ? -(i % 8) : i % 4), 1 + (i % 28)));
    s.birthDate = born.toISOString().slice(0, 10);
  });

  // The school's notifications mailbox (a shared mailbox: a disabled, unlicensed account), which
  // the app sends email from. Made after everyone else, for the same reason.
  // It joins the user list only at the end, so nobody's mail rules or files moved either.
  const notificationsMailbox: DemoUser = {
    id: '5afe7e11-0000-4000-8000-000000000001',
    displayName: 'E-Safety Notifications',
    givenName: 'E-Safety',
    surname: 'Notifications',
    userPrincipalName: `esafety@${DEMO_DOMAIN}`,
    mail: `esafety@${DEMO_DOMAIN}`,
    mailNickname: 'esafety',
    userType: 'Member',
    accountEnabled: false,
    jobTitle: null,
    department: null,
    assignedLicenses: [],
    role: 'mailbox',
    primaryRole: 'none',
    managerId: null,
    driveProvisioned: false,
  };

  const users = [...staff, ...students, ...governors, ...guests];
  const byKey = Object.fromEntries(KEY_STAFF.map((k, i) => [k.key, staff[i]!])) as Record<(typeof KEY_STAFF)[number]['key'], DemoUser>;
  const keyStudent = students[0]!;

  // Groups and teams ---------------------------------------------------------------------------
  const groups: DemoGroup[] = [];
  const group = (
    displayName: string,
    nickname: string,
    kind: DemoGroup['kind'],
    memberIds: string[],
    ownerIds: string[],
    team: boolean,
    ownersAreMembers = true,
  ): DemoGroup => {
    const g: DemoGroup = {
      id: rnd.guid(),
      displayName,
      description: displayName,
      mail: `${nickname}@${DEMO_DOMAIN}`,
      mailNickname: nickname,
      groupTypes: ['Unified'],
      mailEnabled: true,
      securityEnabled: false,
      visibility: 'Private',
      resourceProvisioningOptions: team ? ['Team'] : [],
      memberIds: ownersAreMembers ? [...new Set([...memberIds, ...ownerIds])] : [...memberIds],
      ownerIds,
      kind,
    };
    groups.push(g);
    return g;
  };

  group(
    'All Staff',
    'allstaff',
    'staff',
    staff.map((s) => s.id),
    [head.id, byKey.itAdmin.id],
    false,
  );
  // IT owns the students group without being in it: an owner need not be a member in Entra ID.
  group(
    'All Students',
    'allstudents',
    'students',
    students.map((s) => s.id),
    [byKey.itAdmin.id],
    false,
    false,
  );
  group(
    'Governors',
    'governors',
    'governors',
    governors.map((g) => g.id),
    [head.id],
    false,
  );
  group('IT Admins', 'itadmins', 'admins', [byKey.itAdmin.id], [byKey.itAdmin.id], false);
  group('Safeguarding Team', 'safeguarding', 'safeguarding', [byKey.dsl.id, byKey.deputyDsl1.id, byKey.deputyDsl2.id], [byKey.dsl.id], false);
  const staffRoom = group(
    'Staff Room',
    'staffroom',
    'staff-team',
    staff.map((s) => s.id),
    [head.id],
    true,
  );

  const classSize = 25;
  const classCount = Math.max(1, Math.ceil(students.length / classSize));
  const teachers = staff.filter((s) => s.jobTitle?.startsWith('Teacher'));
  const classes: DemoGroup[] = [];
  for (let c = 0; c < classCount; c++) {
    const year = 7 + (Math.floor(c / FORMS.length) % 5);
    const form = FORMS[c % FORMS.length]!;
    // Amy Clarke (the teacher persona) teaches the first two classes.
    const teacher = c < 2 ? byKey.teacher : teachers[c % teachers.length]!;
    const subject = teacher.department ?? 'Tutor';
    const members = students.slice(c * classSize, (c + 1) * classSize).map((s) => s.id);
    const nickname = `class-${year}${form.toLowerCase()}-${subject.toLowerCase()}-${c + 1}`;
    classes.push(group(`${year}${form} ${subject} (${c + 1})`, nickname, 'class', members, [teacher.id], true));
  }
  const chessClub = group(
    'Chess Club',
    'chessclub',
    'club',
    students.slice(0, 10).map((s) => s.id),
    [byKey.teacher.id],
    true,
  );

  // Seeded membership violations.
  const firstClass = classes[0]!;
  firstClass.memberIds.push(guestTutor.id);
  seeded.push({ rule: 'groups.guest-in-student-group', subjectId: firstClass.id, note: `${guestTutor.mail} is a guest in a class team` });
  const lastStudent = students[students.length - 1]!;
  staffRoom.memberIds.push(lastStudent.id);
  seeded.push({ rule: 'groups.student-in-staff-group', subjectId: staffRoom.id, note: `${lastStudent.userPrincipalName} is in the staff team` });
  const parentsForum = group('Parents Forum', 'parentsforum', 'club', [head.id, guestParent.id], [guestParent.id], false);
  seeded.push({ rule: 'groups.guest-owner', subjectId: parentsForum.id, note: `${guestParent.mail} owns a school group` });
  const oldProject = group('Old Year 9 Project', 'oldproject', 'club', [students[1]!.id, students[2]!.id], [], true);
  seeded.push({ rule: 'groups.ownerless-team', subjectId: oldProject.id, note: 'a team nobody owns' });
  void chessClub;

  // Inbox rules ---------------------------------------------------------------------------------
  const inboxRules = new Map<string, DemoInboxRule[]>();
  const recipient = (address: string, name?: string): Recipient => ({ emailAddress: { address, ...(name ? { name } : {}) } });
  const addRule = (user: DemoUser, rule: Omit<DemoInboxRule, 'id' | 'sequence' | 'hasError' | 'isReadOnly' | 'conditions'>) => {
    const list = inboxRules.get(user.id) ?? [];
    list.push({ id: `AQAAA${rnd.guid().replace(/-/g, '')}=`, sequence: list.length + 1, hasError: false, isReadOnly: false, conditions: {}, ...rule });
    inboxRules.set(user.id, list);
  };
  for (const u of [...staff, ...students]) {
    if (rnd.chance(0.3)) addRule(u, { displayName: 'Newsletters', isEnabled: true, actions: { moveToFolder: 'newsletters', stopProcessingRules: false } });
  }
  const mailViolation = (user: DemoUser, displayName: string, actions: DemoInboxRule['actions'], isEnabled: boolean, note: string) => {
    addRule(user, { displayName, isEnabled, actions });
    seeded.push({ rule: 'mail.inbox-rule.external-forward', subjectId: user.id, note: `${note}${isEnabled ? '' : ' (disabled)'}` });
  };
  mailViolation(staff[6] ?? byKey.teacher, 'Send to home', { forwardTo: [recipient('teacher.home@gmail.com')] }, true, 'forwards to a personal address');
  mailViolation(staff[7] ?? byKey.teacher, 'Archive', { redirectTo: [recipient(`archive@${DEMO_DOMAIN}.evil.com`)] }, true, 'redirects to a look-alike domain');
  mailViolation(staff[8] ?? byKey.teacher, 'Backup', { forwardAsAttachmentTo: [recipient('backup@outlook.com')] }, true, 'forwards as attachment outside');
  mailViolation(students[5] ?? keyStudent, 'Fwd', { forwardTo: [recipient('gamer123@hotmail.co.uk')] }, true, 'a student forwards outside');
  mailViolation(staff[9] ?? byKey.teacher, 'Old forward', { forwardTo: [recipient('old.me@yahoo.com')] }, false, 'forwards outside');
  // Inside the school, so not violations: a forward to a colleague and to a student subdomain address.
  addRule(byKey.deputyDsl1, { displayName: 'Cover DSL inbox', isEnabled: true, actions: { forwardTo: [recipient(byKey.dsl.mail)] } });
  addRule(byKey.teacher, { displayName: 'Class rep', isEnabled: true, actions: { forwardTo: [recipient(keyStudent.mail)] } });

  // Sites, drives, files ------------------------------------------------------------------------
  const drives: DemoDrive[] = [];
  const sites: DemoSite[] = [];
  const isoDaysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
  const makeDrive = (
    name: string,
    driveType: DemoDrive['driveType'],
    ownerUserId: string | null,
    siteId: string | null,
    webBase: string,
    files: number,
  ): DemoDrive => {
    const id = `b!${rnd.guid().replace(/-/g, '')}`;
    const rootId = `01ROOT${rnd.guid().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const items: DemoDriveItem[] = [
      { id: rootId, name: 'root', parentId: null, isFolder: true, size: 0, lastModifiedDateTime: isoDaysAgo(30), webUrl: webBase, permissions: [] },
    ];
    const folderId = `01${rnd.guid().replace(/-/g, '').slice(0, 24).toUpperCase()}`;
    items.push({
      id: folderId,
      name: 'Documents',
      parentId: rootId,
      isFolder: true,
      size: 0,
      lastModifiedDateTime: isoDaysAgo(20),
      webUrl: `${webBase}/Documents`,
      permissions: [],
    });
    for (let f = 0; f < files; f++) {
      const itemId = `01${rnd.guid().replace(/-/g, '').slice(0, 24).toUpperCase()}`;
      const name = `${rnd.pick(['Lesson plan', 'Worksheet', 'Notes', 'Report', 'Minutes', 'Homework'])} ${f + 1}.docx`;
      items.push({
        id: itemId,
        name,
        parentId: f % 2 ? folderId : rootId,
        isFolder: false,
        size: 10_000 + rnd.int(500_000),
        lastModifiedDateTime: isoDaysAgo(rnd.int(60)),
        // Under its folder, as SharePoint names it: an item's URL is its path from the library.
        webUrl: `${webBase}/${f % 2 ? 'Documents/' : ''}${encodeURIComponent(name)}`,
        permissions: [],
      });
    }
    const drive: DemoDrive = { id, name, driveType, ownerUserId, siteId, rootId, items };
    drives.push(drive);
    return drive;
  };
  for (const u of [...staff, ...students]) {
    makeDrive(
      'OneDrive',
      'business',
      u.id,
      null,
      `https://demoacademy-my.sharepoint.com/personal/${u.userPrincipalName.replace(/[@.]/g, '_')}/Documents`,
      u.role === 'staff' ? 4 : 2,
    );
  }
  for (const g of groups.filter((g) => g.resourceProvisioningOptions.includes('Team'))) {
    const siteId = `demoacademy.sharepoint.com,${rnd.guid()},${rnd.guid()}`;
    const webUrl = `https://demoacademy.sharepoint.com/sites/${g.mailNickname}`;
    const d = makeDrive('Documents', 'documentLibrary', null, siteId, `${webUrl}/Shared Documents`, 3);
    sites.push({ id: siteId, displayName: g.displayName, name: g.mailNickname, webUrl, groupId: g.id, driveIds: [d.id] });
  }

  const firstFile = (d: DemoDrive) => d.items.find((i) => !i.isFolder)!;
  const driveOf = (userId: string) => drives.find((d) => d.ownerUserId === userId)!;
  const share = (d: DemoDrive, item: DemoDriveItem, p: Omit<DemoPermission, 'id'>) => item.permissions.push({ id: rnd.guid(), ...p });
  const seedShare = (d: DemoDrive, rule: string, p: Omit<DemoPermission, 'id'>, note: string) => {
    const item = firstFile(d);
    share(d, item, p);
    seeded.push({ rule, subjectId: `${d.id}/${item.id}`, note });
  };
  seedShare(
    driveOf(byKey.teacher.id),
    'sharing.item.anonymous-link',
    { roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://demoacademy-my.sharepoint.com/:w:/g/anon1' } },
    'anyone with the link can view',
  );
  seedShare(
    driveOf(staff[10]?.id ?? byKey.teacher.id),
    'sharing.item.anonymous-link',
    { roles: ['write'], link: { scope: 'anonymous', type: 'edit', webUrl: 'https://demoacademy-my.sharepoint.com/:w:/g/anon2' } },
    'anyone with the link can edit',
  );
  seedShare(
    driveOf(staff[11]?.id ?? byKey.dsl.id),
    'sharing.item.external-user',
    { roles: ['read'], grantedToV2: { user: { email: 'friend@gmail.com', displayName: 'friend@gmail.com' } } },
    'shared with a personal address',
  );
  const classDrive = drives.find((d) => d.id === sites.find((s) => s.groupId === firstClass.id)!.driveIds[0])!;
  seedShare(
    classDrive,
    'sharing.item.external-user',
    { roles: ['write'], grantedToIdentitiesV2: [{ user: { email: `spoof@${DEMO_DOMAIN}.evil.com`, displayName: 'Spoof' } }] },
    'shared with a look-alike domain',
  );
  // Shapes a real tenant serves (permission.md, "Specific people link" and "Invitation to an email
  // address"): a specific-people link carries its people in grantedToIdentitiesV2 on the link
  // permission; a pending invitation names the outsider only in invitation.email; a grantee may
  // come with no email at all, only an id (a guest account) or a siteUser.loginName.
  const nthFile = (d: DemoDrive, n: number) => d.items.filter((i) => !i.isFolder)[n]!;
  const seedShareOn = (d: DemoDrive, item: DemoDriveItem, rule: string, p: Omit<DemoPermission, 'id'>, note: string) => {
    share(d, item, p);
    seeded.push({ rule, subjectId: `${d.id}/${item.id}`, note });
  };
  const peopleLinkDrive = driveOf(staff[13]?.id ?? byKey.teacher.id);
  seedShareOn(
    peopleLinkDrive,
    nthFile(peopleLinkDrive, 1),
    'sharing.item.external-user',
    {
      roles: ['write'],
      link: { scope: 'users', type: 'edit', webUrl: 'https://demoacademy-my.sharepoint.com/:w:/g/people1' },
      grantedToIdentitiesV2: [
        {
          user: { id: rnd.guid(), email: 'tutor.home@hotmail.com', displayName: 'tutor.home@hotmail.com' },
          siteUser: { id: '14', displayName: 'tutor.home@hotmail.com', loginName: 'i:0#.f|membership|urn%3aspo%3aguest#tutor.home@hotmail.com' },
        },
      ],
    },
    'a specific-people link for a personal address',
  );
  const inviteDrive = driveOf(staff[14]?.id ?? byKey.teacher.id);
  seedShareOn(
    inviteDrive,
    nthFile(inviteDrive, 2),
    'sharing.item.external-user',
    { roles: ['read'], invitation: { email: 'coach@sportsclub.example.com', signInRequired: true } },
    'an invitation not yet accepted by someone outside',
  );
  const guestDrive = driveOf(staff[15]?.id ?? byKey.teacher.id);
  seedShareOn(
    guestDrive,
    nthFile(guestDrive, 3),
    'sharing.item.external-user',
    { roles: ['read'], grantedToV2: { user: { id: guestConsultant.id, displayName: guestConsultant.displayName } } },
    'shared with a guest account, named only by id',
  );
  const loginDrive = driveOf(staff[16]?.id ?? byKey.dsl.id);
  seedShareOn(
    loginDrive,
    nthFile(loginDrive, 1),
    'sharing.item.external-user',
    {
      roles: ['read'],
      grantedToV2: { siteUser: { id: '21', displayName: 'Pat', loginName: 'i:0#.f|membership|pat.parent_outlook.com#ext#@demoacademy.onmicrosoft.com' } },
    },
    'shared with an outside account known to SharePoint only by its login name',
  );
  // Sharing that stays inside the school is not a finding.
  const headFile = firstFile(driveOf(head.id));
  share(driveOf(head.id), headFile, {
    roles: ['read'],
    link: { scope: 'organization', type: 'view', webUrl: 'https://demoacademy-my.sharepoint.com/:w:/g/org1' },
  });
  share(driveOf(head.id), headFile, {
    roles: ['write'],
    grantedToV2: { user: { id: byKey.dsl.id, email: byKey.dsl.mail, displayName: byKey.dsl.displayName } },
  });
  // ...nor is a specific-people link for colleagues, or a colleague named only by id or login name.
  const headSecond = nthFile(driveOf(head.id), 1);
  share(driveOf(head.id), headSecond, {
    roles: ['read'],
    link: { scope: 'users', type: 'view', webUrl: 'https://demoacademy-my.sharepoint.com/:w:/g/people2' },
    grantedToIdentitiesV2: [
      { user: { id: byKey.deputyDsl1.id, displayName: byKey.deputyDsl1.displayName } },
      { siteUser: { id: '9', displayName: byKey.deputyDsl2.displayName, loginName: `i:0#.f|membership|${byKey.deputyDsl2.userPrincipalName}` } },
    ],
  });

  // Meetings ------------------------------------------------------------------------------------
  const events: DemoEvent[] = [];
  const onlineMeetings: DemoOnlineMeeting[] = [];
  const at = (dayOffset: number, hour: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + dayOffset, hour)).toISOString().replace('Z', '');
  const meeting = (
    organizer: DemoUser | { mail: string; displayName: string; external: true },
    subject: string,
    dayOffset: number,
    hour: number,
    attendees: Array<{ mail: string; displayName: string; id?: string }>,
    opts: { record?: boolean; lessonGroupId?: string | null } = {},
  ): DemoEvent => {
    const joinUrl = `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${rnd.guid().replace(/-/g, '')}%40thread.v2/0`;
    const external = 'external' in organizer;
    if (!external) {
      onlineMeetings.push({
        id: `MSo${rnd.guid().replace(/-/g, '')}`,
        organizerUserId: organizer.id,
        subject,
        startDateTime: `${at(dayOffset, hour)}Z`,
        endDateTime: `${at(dayOffset, hour + 1)}Z`,
        joinWebUrl: joinUrl,
        recordAutomatically: opts.record ?? false,
        allowRecording: true,
        isEntryExitAnnounced: !!opts.lessonGroupId,
        allowedPresenters: opts.lessonGroupId ? 'organizer' : 'everyone',
        lobbyBypassSettings: { scope: opts.lessonGroupId ? 'organization' : 'organization', isDialInBypassEnabled: false },
        lessonGroupId: opts.lessonGroupId ?? null,
        recordings: opts.record ? [{ id: `rec-${onlineMeetings.length}`, createdDateTime: `${at(dayOffset, hour + 1)}Z` }] : [],
        chatThreadId: decodeURIComponent(joinUrl.split('/')[5]!),
      });
    }
    const base = {
      subject,
      start: { dateTime: at(dayOffset, hour), timeZone: 'UTC' as const },
      end: { dateTime: at(dayOffset, hour + 1), timeZone: 'UTC' as const },
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness' as const,
      onlineMeeting: { joinUrl },
      organizer: recipient(organizer.mail, organizer.displayName),
      attendees: attendees.map((a) => ({ ...recipient(a.mail, a.displayName), type: 'required' as const })),
    };
    const first: DemoEvent = { id: `AAMk${rnd.guid().replace(/-/g, '')}`, calendarOwnerId: external ? '' : organizer.id, isOrganizer: !external, ...base };
    if (!external) events.push(first);
    for (const a of attendees.filter((a) => a.id)) {
      events.push({ ...base, id: `AAMk${rnd.guid().replace(/-/g, '')}`, calendarOwnerId: a.id!, isOrganizer: false });
    }
    return first;
  };
  const person = (u: DemoUser) => ({ mail: u.mail, displayName: u.displayName, id: u.id });
  classes.slice(0, 6).forEach((c, i) => {
    const teacher = users.find((u) => u.id === c.ownerIds[0])!;
    const classStudents = c.memberIds
      .map((id) => users.find((u) => u.id === id)!)
      .filter((u) => u.role === 'student')
      .slice(0, 5);
    const ev = meeting(teacher, `${c.displayName} lesson`, 1 + (i % 3), 9 + i, classStudents.map(person), { record: i !== 2, lessonGroupId: c.id });
    if (i === 2)
      seeded.push({
        rule: 'meetings.lesson-not-recorded',
        subjectId: onlineMeetings[onlineMeetings.length - 1]!.id,
        note: `${ev.subject} is not set to record`,
      });
  });
  meeting(head, 'Staff briefing', 1, 8, staff.slice(1, 8).map(person));
  meeting(byKey.dsl, 'Safeguarding supervision', 2, 15, [person(byKey.deputyDsl1), person(byKey.deputyDsl2)]);
  const ext = meeting(byKey.teacher, 'Chat with exam board', 3, 14, [
    { mail: 'moderator@examboard.example.org', displayName: 'Exam Moderator' },
    person(byKey.dsl),
  ]);
  seeded.push({
    rule: 'meetings.external-attendee',
    subjectId: onlineMeetings[onlineMeetings.length - 1]!.id,
    note: `${ext.subject} invites someone outside the school`,
  });
  // A third party's meeting that staff join: allowed by policy 000 "5. Remote Working".
  meeting(
    { mail: 'organiser@localauthority.example.gov.uk', displayName: 'LA Safeguarding Board', external: true },
    'Local authority safeguarding forum',
    4,
    10,
    [person(byKey.dsl), person(head)],
  );

  // Exchange Online (not in Graph) -------------------------------------------------------------
  const forwarding: DemoSchool['exchange']['forwarding'] = new Map();
  const smtpForwarder = staff[12] ?? byKey.teacher;
  forwarding.set(smtpForwarder.id, { ForwardingSmtpAddress: 'smtp:my.own.mail@btinternet.com', DeliverToMailboxAndForward: true });
  seeded.push({ rule: 'mail.mailbox.external-forward', subjectId: smtpForwarder.id, note: 'mailbox forwards to a personal address' });
  // ForwardingAddress names a recipient inside Exchange, here a mail contact whose address is outside
  // (Set-Mailbox -ForwardingAddress): the mail still leaves the school.
  const mailContacts: DemoSchool['exchange']['mailContacts'] = [
    {
      Identity: 'Home address (J Wright)',
      ExternalDirectoryObjectId: rnd.guid(),
      DisplayName: 'Home address (J Wright)',
      ExternalEmailAddress: 'SMTP:j.wright.home@gmail.com',
    },
  ];
  const contactForwarder = staff[17] ?? head;
  forwarding.set(contactForwarder.id, { ForwardingSmtpAddress: null, ForwardingAddress: mailContacts[0]!.Identity, DeliverToMailboxAndForward: false });
  seeded.push({ rule: 'mail.mailbox.external-forward', subjectId: contactForwarder.id, note: 'mailbox forwards to a mail contact outside the school' });
  // A forward to a colleague inside the school is not a finding, by SMTP address or by recipient.
  forwarding.set(byKey.deputyDsl2.id, { ForwardingSmtpAddress: `smtp:${byKey.dsl.mail}`, DeliverToMailboxAndForward: true });
  forwarding.set(byKey.deputyDsl1.id, { ForwardingSmtpAddress: null, ForwardingAddress: byKey.dsl.displayName, DeliverToMailboxAndForward: true });
  seeded.push({ rule: 'mail.tenant.auto-forward-allowed', subjectId: 'outbound-spam-policy', note: 'automatic external forwarding is on' });

  // Tenant settings -----------------------------------------------------------------------------
  seeded.push({ rule: 'sharing.tenant.anyone-links', subjectId: 'sharepoint-settings', note: 'Anyone links are allowed' });
  seeded.push({ rule: 'sharing.tenant.external-resharing', subjectId: 'sharepoint-resharing', note: 'guests can re-share' });
  seeded.push({ rule: 'sharing.tenant.no-domain-restriction', subjectId: 'sharepoint-domains', note: 'no allow-list of sharing domains' });
  seeded.push({ rule: 'tenant.guest-invites-open', subjectId: 'authorization-policy', note: 'everyone can invite guests' });
  seeded.push({ rule: 'tenant.guest-role-member-access', subjectId: 'guest-user-role', note: 'guests have the same directory access as members' });
  seeded.push({ rule: 'tenant.cross-tenant-inbound-open', subjectId: 'cross-tenant-default', note: 'any organisation can collaborate in' });

  users.push(notificationsMailbox);
  return {
    seed,
    tenantId: DEMO_TENANT_ID,
    domains: { staff: DEMO_DOMAIN, students: DEMO_STUDENT_DOMAIN },
    users,
    groups,
    inboxRules,
    drives,
    sites,
    events,
    onlineMeetings,
    settings: {
      organization: {
        id: DEMO_TENANT_ID,
        displayName: 'Demo Academy',
        verifiedDomains: [
          { name: DEMO_DOMAIN, isDefault: true },
          { name: DEMO_STUDENT_DOMAIN, isDefault: false },
        ],
      },
      sharepoint: { sharingCapability: 'externalUserAndGuestSharing', sharingDomainRestrictionMode: 'none', isResharingByExternalUsersEnabled: true },
      // authorizationpolicy.md: guestUserRoleId a0b1b346-4d3e-4e8b-98f8-753987be4970 is "User" (guests
      // get the same access as members); 10dae51f-... is "Guest User", 2af84b1e-... "Restricted Guest User".
      authorizationPolicy: { allowInvitesFrom: 'everyone', guestUserRoleId: 'a0b1b346-4d3e-4e8b-98f8-753987be4970' },
      crossTenantDefault: { b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed' } } },
      subscribedSkus: [
        { skuId: SKU_A3_FACULTY, skuPartNumber: 'M365EDU_A3_FACULTY' },
        { skuId: SKU_A3_STUDENT, skuPartNumber: 'M365EDU_A3_STUDENT' },
      ],
    },
    exchange: {
      forwarding,
      mailContacts,
      // Decision 1: the school registered the app in Exchange and gave it "Application Mail.Send"
      // on a scope holding only the notifications mailbox; no application access policy.
      rbac: {
        servicePrincipals: [{ AppId: DEMO_APP_ID, ObjectId: '6b3c2d1e-0000-4000-8000-0000000000e5', DisplayName: 'E-Safety for Teams' }],
        managementScopes: [
          {
            Name: 'E-Safety notifications mailbox',
            RecipientRestrictionFilter: `PrimarySmtpAddress -eq '${notificationsMailbox.mail}'`,
            memberIds: [notificationsMailbox.id],
          },
        ],
        roleAssignments: [{ App: DEMO_APP_ID, Role: 'Application Mail.Send', CustomResourceScope: 'E-Safety notifications mailbox' }],
      },
      applicationAccessPolicies: [],
      outboundSpamPolicies: [{ Identity: 'Default', AutoForwardingMode: 'On' }],
      remoteDomains: [{ Identity: 'Default', DomainName: '*', AutoForwardEnabled: true }],
    },
    seededViolations: seeded,
    outbox: [],
    appInstalledFor: new Set(),
    appInstalledInChats: new Set(),
    auditLog: [],
    subscriptions: [],
    teamsAppAccessPolicy: { global: true, organizerIds: [] },
  };
}

/** Convenience for tests and personas: the fixed key people by role. */
export function keyPeople(school: DemoSchool) {
  const byUpn = (upn: string) => school.users.find((u) => u.userPrincipalName === upn)!;
  return {
    headteacher: byUpn(`helen.carter@${DEMO_DOMAIN}`),
    dsl: byUpn(`daniel.okafor@${DEMO_DOMAIN}`),
    deputyDsl: byUpn(`priya.shah@${DEMO_DOMAIN}`),
    itAdmin: byUpn(`sam.patel@${DEMO_DOMAIN}`),
    teacher: byUpn(`amy.clarke@${DEMO_DOMAIN}`),
    student: byUpn(`jamie.brown@${DEMO_STUDENT_DOMAIN}`),
    governor: byUpn(`gov.margaret.hughes@${DEMO_DOMAIN}`),
  };
}
