import { asGraph, type Graph, type Present } from './graph-types';

describe("Graph's generated types", () => {
  it('let an object Graph would serve through, unchanged', () => {
    const user = asGraph<Graph.User>()({ id: 'u1', displayName: 'Amy Clarke', userType: 'Member', '@odata.type': '#microsoft.graph.user' });
    expect(user.displayName).toBe('Amy Clarke');
    const picked: Present<Graph.User, 'id' | 'displayName'> = { id: 'u1', displayName: 'Amy Clarke' };
    expect(picked.id).toBe('u1');
  });

  it('refuse, at compile time, a property Graph does not have', () => {
    // @ts-expect-error favouriteColour is not a property of microsoft.graph.user
    const made = asGraph<Graph.User>()({ id: 'u1', favouriteColour: 'green' });
    expect(made.id).toBe('u1');
  });
});
