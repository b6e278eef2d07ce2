import DataLoader from 'dataloader';

/** Most clicks one statement carries: enough for a burst, small enough that one statement stays short. */
const MOST_PER_STATEMENT = 200;

/**
 * One statement for the same question asked by many requests at once. At the start of term a
 * thousand people press "I accept" within a minute; on PostgreSQL each statement is a round trip
 * (the app's and the server's CPU, and a WAL flush for each write), so the clicks the app is
 * handling together share their reads and their writes: statements grow with the load's bursts,
 * not with its clicks. Alone, a click is one statement as before, sent at once (the batch closes
 * when the event loop has handled what arrived with it, setImmediate).
 *
 * `run` answers each input by its position. Each statement is all or nothing, so when one fails for
 * several inputs they are asked again one by one: one click's fault (a bad row, a refusal) fails
 * that click only, and nothing is half-written. DataLoader (GraphQL's batching library) does the
 * collecting; it caches nothing here, as every click must see the database as it is.
 */
export function batchedStatement<In, Out>(run: (inputs: readonly In[]) => Promise<Out[]>): (input: In) => Promise<Out> {
  const loader = new DataLoader<In, Out>(
    async (inputs) => {
      try {
        return await run(inputs);
      } catch (e) {
        if (inputs.length === 1) throw e;
        return Promise.all(inputs.map((input) => run([input]).then((answers) => answers[0]!, asError)));
      }
    },
    { cache: false, maxBatchSize: MOST_PER_STATEMENT, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );
  return (input) => loader.load(input);
}

/** DataLoader rejects an input whose answer is an Error. */
const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
