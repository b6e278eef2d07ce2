import { breaksRemoteWorking, outsiders } from './lesson-rules';

const school = ['demo-academy.org.uk'];

/** Policy 000 "5. Remote Working": Teams is for use within the school. */
describe('who is outside the school, for a lesson or a meeting', () => {
  it('counts the school domain and its subdomains as inside', () => {
    expect(outsiders(['amy.clarke@demo-academy.org.uk', 'jamie.brown@students.demo-academy.org.uk'], school)).toEqual([]);
  });

  it('counts look-alike domains as outside', () => {
    expect(outsiders(['a@demo-academy.org.uk.evil.com', 'b@evildemo-academy.org.uk', 'c@gmail.com', 'not-an-address'], school)).toHaveLength(4);
  });

  it('finds a staff-organised online meeting with an outsider', () => {
    expect(
      breaksRemoteWorking(
        {
          isOrganizer: true,
          isOnlineMeeting: true,
          organizer: 'amy.clarke@demo-academy.org.uk',
          attendees: ['tutor@tutoring-co.example.com', 'jamie.brown@students.demo-academy.org.uk'],
        },
        school,
      ),
    ).toEqual(['tutor@tutoring-co.example.com']);
  });

  it('allows joining a third party’s meeting: staff may join when the third party set it up', () => {
    expect(
      breaksRemoteWorking(
        { isOrganizer: false, isOnlineMeeting: true, organizer: 'board@localauthority.example.gov.uk', attendees: ['amy.clarke@demo-academy.org.uk'] },
        school,
      ),
    ).toEqual([]);
  });

  it('leaves meetings that are not online meetings alone', () => {
    expect(
      breaksRemoteWorking({ isOrganizer: true, isOnlineMeeting: false, organizer: 'amy.clarke@demo-academy.org.uk', attendees: ['x@gmail.com'] }, school),
    ).toEqual([]);
  });
});
