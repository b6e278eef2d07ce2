/**
 * Graph's own types, generated from the same v1.0 metadata as the demo tenant's schema
 * (`@microsoft/microsoft-graph-types`, type-only: nothing of it runs). The app names the Graph
 * objects it reads and writes through these, so a property Graph does not have is a compile error.
 *
 * Graph's generated types make every property optional and most nullable. A request names what it
 * reads with `$select`, and Microsoft documents some properties as always set (an `id`, a user's
 * `displayName` and `userPrincipalName`, a permission's `roles`); `Present` states that for the
 * properties the app relies on, `Selected` keeps Graph's nullability.
 */
export type * as Graph from '@microsoft/microsoft-graph-types';
import type { NullableOption } from '@microsoft/microsoft-graph-types';

/** Properties K of Graph type T that Graph always returns when selected: present and not null. */
export type Present<T, K extends keyof T> = { [P in K]-?: NonNullable<T[P]> };

/** Properties K of Graph type T as a `$select` returns them: present, but null where Graph allows it. */
export type Selected<T, K extends keyof T> = { [P in K]-?: Exclude<T[P], undefined> };

/** Properties K of Graph type T that may be absent (not selected, or not set). */
export type Optional<T, K extends keyof T> = { [P in K]?: T[P] };

export type { NullableOption };

/**
 * An object the demo tenant serves (or the app sends) as Graph type T: checked at compile time to
 * carry only T's properties, with T's types, plus OData annotations. Returns it unchanged.
 */
export function asGraph<T>() {
  return <S extends T & { [K in Exclude<keyof S, keyof T | `@${string}`>]: never }>(value: S): S => value;
}

/**
 * Where Graph v1.0 has more than the generated types (the package lags the service's metadata),
 * the type is extended here, citing the page that documents it.
 */
declare module '@microsoft/microsoft-graph-types' {
  interface Group {
    /**
     * `["Team"]` for a group with a team. In v1.0's CSDL (msgraph-metadata f54f11b) and documented in
     * api-reference/v1.0/resources/group.md ("Specifies the group resources that are provisioned as
     * part of Microsoft 365 group creation ... Possible value is Team"); missing from 2.43.1.
     */
    resourceProvisioningOptions?: NullableOption<string[]>;
  }
  /**
   * `identity` and `identitySet` are open types in v1.0's CSDL (OpenType="true"), so the service may
   * add properties: OneDrive and SharePoint name a person's `email` and a group library's `group`
   * owner this way (`group` is declared on the sharePointIdentitySet subtype,
   * api-reference/v1.0/resources/sharepointidentityset.md).
   */
  interface Identity {
    email?: NullableOption<string>;
  }
  interface IdentitySet {
    group?: NullableOption<Identity>;
  }
}
