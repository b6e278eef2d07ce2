/**
 * "Inside the school" for mail and meetings: an address is inside only when its domain equals one
 * of the school's domains or is a subdomain of one. `school.org.uk.evil.com` and `evilschool.org.uk`
 * are outside. One rule, shared by the audit and the lesson checks.
 */
export function domainOf(address: string): string | undefined {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 1 || at === trimmed.length - 1) return undefined;
  return trimmed
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
}

export function isSchoolDomain(domain: string, schoolDomains: readonly string[]): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '');
  return schoolDomains.some((s) => {
    const school = s.toLowerCase();
    return d === school || d.endsWith(`.${school}`);
  });
}

/** An address we cannot parse is treated as outside: the safe answer for a safeguarding check. */
export function isInsideSchool(address: string, schoolDomains: readonly string[]): boolean {
  const domain = domainOf(address);
  return domain !== undefined && isSchoolDomain(domain, schoolDomains);
}
