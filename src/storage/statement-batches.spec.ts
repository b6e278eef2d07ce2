import { batchedStatement } from './statement-batches';

/** A statement that answers each input doubled, remembering what each run was asked. */
function doubling(refuse: (n: number) => boolean = () => false) {
  const runs: number[][] = [];
  const ask = batchedStatement(async (inputs: readonly number[]) => {
    runs.push([...inputs]);
    if (inputs.some(refuse)) throw new Error(`refused ${inputs.filter(refuse).join(',')}`);
    return inputs.map((n) => n * 2);
  });
  return { ask, runs };
}

describe('statements shared by clicks handled together', () => {
  it('asks once for everything that arrived together, and answers each its own', async () => {
    const { ask, runs } = doubling();
    await expect(Promise.all([1, 2, 3].map((n) => ask(n)))).resolves.toEqual([2, 4, 6]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('sends a click that arrives alone at once, on its own', async () => {
    const { ask, runs } = doubling();
    await expect(ask(5)).resolves.toBe(10);
    await expect(ask(6)).resolves.toBe(12);
    expect(runs).toEqual([[5], [6]]);
  });

  it('remembers no answer: the same question asked again is asked of the database again', async () => {
    const { ask, runs } = doubling();
    await ask(1);
    await Promise.all([ask(1), ask(1)]);
    expect(runs).toEqual([[1], [1, 1]]);
  });

  it('fails only the click at fault: the others are asked again one by one and answered', async () => {
    const { ask, runs } = doubling((n) => n === 2);
    const answers = await Promise.allSettled([1, 2, 3].map((n) => ask(n)));
    expect(answers).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: expect.objectContaining({ message: 'refused 2' }) },
      { status: 'fulfilled', value: 6 },
    ]);
    expect(runs).toEqual([[1, 2, 3], [1], [2], [3]]);
  });
});
