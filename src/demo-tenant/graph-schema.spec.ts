import { graphSchema, resolveGraphRequest } from './graph-schema';

const resolves = (url: string) => expect(resolveGraphRequest(url)).toMatchObject({ ok: true });
const refused = (url: string, message: string) => expect(resolveGraphRequest(url)).toEqual({ ok: false, message });

describe("Graph v1.0's schema, as the demo tenant checks requests against it", () => {
  it('records the CSDL commit it was derived from', () => {
    expect(graphSchema.source).toMatchObject({ repository: 'microsoftgraph/msgraph-metadata', commit: 'f54f11b60956ea7b185ca0447b2b80805836ec7b' });
  });

  it.each([
    '/users?$select=id,displayName,userPrincipalName,mail,userType&$top=999',
    '/users/jamie.brown%40school.example/manager?$select=id',
    '/education/users/abc/taughtClasses?$select=id,displayName',
    '/education/users/abc?$select=id,student,relatedContacts,primaryRole',
    '/groups/g1/members?$select=id,displayName,mail,userPrincipalName&$top=999',
    "/groups?$filter=mail eq 'staff@school.example'&$select=id",
    '/users/u1/mailFolders/inbox/messageRules?$select=id,displayName,isEnabled,actions',
    '/drives/d1/root/delta?$select=id,name,webUrl,shared,deleted&$top=999',
    '/drives/d1/items/i1/permissions',
    '/sites/getAllSites?$select=id,displayName',
    '/admin/sharepoint/settings?$select=sharingCapability,sharingDomainRestrictionMode,isResharingByExternalUsersEnabled',
    '/policies/crossTenantAccessPolicy/default',
    '/users/u1/sendMail',
    '/users/u1/events/e1/cancel',
    "/users/u1/onlineMeetings?$filter=JoinWebUrl eq 'https://teams.microsoft.com/l/meetup-join/x'",
    '/users/u1/onlineMeetings/m1/recordings',
    '/users/u1/teamwork/installedApps/i1/chat',
    '/chats/19%3Ameeting_x%40thread.v2/installedApps',
    '/groups/g1/members/microsoft.graph.user?$select=id',
    "/users?$filter=assignedLicenses/any(x:x/skuId eq 'abc') and userType eq 'Member'",
    '/users?$expand=manager($select=id,displayName)',
    "/groups?$filter=resourceProvisioningOptions/Any(x:x eq 'Team')",
    '/$batch',
  ])('resolves %s', resolves);

  it('refuses a segment Graph does not have, with the message Graph gives', () => {
    refused('/users/u1/lessons', "Resource not found for the segment 'lessons'.");
    refused('/pupils', "Resource not found for the segment 'pupils'.");
  });

  it('refuses a property the resolved type lacks, in $select, $filter, $orderby and $expand', () => {
    refused('/users?$select=id,favouriteColour', "Could not find a property named 'favouriteColour' on type 'microsoft.graph.user'.");
    refused("/users?$filter=house eq 'Red'", "Could not find a property named 'house' on type 'microsoft.graph.user'.");
    refused('/users?$orderby=house desc', "Could not find a property named 'house' on type 'microsoft.graph.user'.");
    refused('/users?$expand=tutor', "Could not find a property named 'tutor' on type 'microsoft.graph.user'.");
    refused(
      "/drives/d1/items/i1/permissions?$filter=grantedToV2/user/colour eq 'x'",
      "Could not find a property named 'colour' on type 'microsoft.graph.identity'.",
    );
    refused("/users?$filter=assignedLicenses/any(x:x/sku eq 'abc')", "Could not find a property named 'sku' on type 'microsoft.graph.assignedLicense'.");
  });

  it('tells a real Graph path beyond the derived subset from a made-up one', () => {
    expect(resolveGraphRequest('/security/alerts_v2')).toMatchObject({
      ok: false,
      subsetLacks: true,
      message: expect.stringMatching(/does not hold type 'microsoft.graph.security.alert'.*ROOTS/),
    });
  });

  it('does not mistake words inside a string literal for properties', () => {
    resolves("/users?$filter=displayName eq 'house and tutor'");
  });
});
