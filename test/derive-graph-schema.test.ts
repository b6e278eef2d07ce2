import { deriveGraphSchema } from '../scripts/derive-graph-schema';

/** A few lines in the shape of Microsoft's CSDL: aliases, inheritance, a bound function, a container. */
const CSDL = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="colour">
        <Member Name="red" Value="0" />
      </EnumType>
      <EntityType Name="entity" Abstract="true">
        <Key>
          <PropertyRef Name="id" />
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="directoryObject" BaseType="graph.entity" OpenType="true" />
      <EntityType Name="user" BaseType="graph.directoryObject" OpenType="true">
        <Property Name="displayName" Type="Edm.String" />
        <Property Name="favourite" Type="graph.colour" />
        <Property Name="assignedLicenses" Type="Collection(graph.assignedLicense)" Nullable="false" />
        <NavigationProperty Name="manager" Type="graph.directoryObject" />
        <NavigationProperty Name="memberOf" Type="Collection(graph.directoryObject)" />
      </EntityType>
      <EntityType Name="unrelated" BaseType="graph.entity" />
      <ComplexType Name="assignedLicense">
        <Property Name="skuId" Type="Edm.Guid" />
      </ComplexType>
      <Function Name="delta" IsBound="true">
        <Parameter Name="bindingParameter" Type="Collection(graph.user)" />
        <ReturnType Type="Collection(graph.user)" />
      </Function>
      <EntityContainer Name="GraphService">
        <EntitySet Name="users" EntityType="microsoft.graph.user" />
        <EntitySet Name="unrelatedThings" EntityType="microsoft.graph.unrelated" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`;

describe('deriving the demo tenant’s Graph schema from the CSDL', () => {
  const schema = deriveGraphSchema(CSDL, 'a'.repeat(40));

  it('keeps every entity set, and the types reachable from the app’s roots with their bases and derived types', () => {
    expect(schema.entitySets).toEqual({ users: 'user', unrelatedThings: 'unrelated' });
    expect(Object.keys(schema.types).sort()).toEqual(['assignedLicense', 'directoryObject', 'entity', 'user']);
    expect(schema.types.user).toEqual({
      kind: 'entity',
      base: 'directoryObject',
      props: { displayName: '', favourite: '', assignedLicenses: 'assignedLicense' },
      nav: { manager: 'directoryObject', memberOf: 'directoryObject[]' },
    });
    expect(schema.types.entity).toMatchObject({ key: ['id'], abstract: true });
  });

  it('keeps functions and actions by the type they are bound to', () => {
    expect(schema.operations['user[]']).toEqual({ delta: ['function', 'user[]'] });
  });

  it('records the source commit', () => {
    expect(schema.source).toMatchObject({ repository: 'microsoftgraph/msgraph-metadata', commit: 'a'.repeat(40) });
  });
});
