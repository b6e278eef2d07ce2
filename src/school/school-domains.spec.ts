import { domainOf, isInsideSchool } from './school-domains';

const school = ['demo-academy.org.uk'];

describe('an address is inside the school only on the school domain or its subdomains', () => {
  it('accepts the school domain, in any case', () => {
    expect(isInsideSchool('head@demo-academy.org.uk', school)).toBe(true);
    expect(isInsideSchool('Head@Demo-Academy.ORG.UK', school)).toBe(true);
  });

  it('accepts a subdomain of the school domain', () => {
    expect(isInsideSchool('pupil@students.demo-academy.org.uk', school)).toBe(true);
  });

  it('rejects a look-alike that merely starts with the school domain', () => {
    expect(isInsideSchool('x@demo-academy.org.uk.evil.com', school)).toBe(false);
  });

  it('rejects a look-alike that merely ends with the school domain text', () => {
    expect(isInsideSchool('x@evildemo-academy.org.uk', school)).toBe(false);
  });

  it('treats an address it cannot read as outside', () => {
    expect(isInsideSchool('not-an-address', school)).toBe(false);
    expect(isInsideSchool('trailing@', school)).toBe(false);
    expect(domainOf('@nobody')).toBeUndefined();
  });

  it('rejects personal mail providers', () => {
    expect(isInsideSchool('teacher.personal@gmail.com', school)).toBe(false);
  });
});
