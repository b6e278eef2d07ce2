import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, type TestStorage } from '../../test/support/storages';
import { IncidentLog, type Checkpoint } from './incident-log';
import { CheckpointCopy } from './incident-checkpoint-copy';
import { IncidentLogKeys } from './incident-log-key';
import { incidentReportSchema } from './incident-report';

const keys = new IncidentLogKeys('the school key vault secret, 32+ characters long');
const report = incidentReportSchema.parse({
  submissionId: '8a6e0804-2bd0-4672-b79e-d97358b37e55',
  category: 'conduct',
  subCategory: 'cyberbullying',
  whatHappened: 'Name-calling in the Year 8 chat.',
  when: '2026-11-23T10:15:00Z',
  channel: 'tab',
});

describe.each(engines)('the external copy of the incident log checkpoints on %s', (_name, open) => {
  let t: TestStorage;
  afterEach(() => t.dispose());

  it('appends the sealed head when it moved, once, and the copy verifies the log', async () => {
    t = await open();
    const log = new IncidentLog(t.storage.db, t.storage.engine, undefined, keys);
    const file = join(mkdtempSync(join(tmpdir(), 'esafety-checkpoints-')), 'checkpoints.jsonl');
    const copy = new CheckpointCopy(log, file);
    expect(await copy.tick()).toBeUndefined();
    const { incidentId } = await log.submit(report, 'teacher', { recipients: [], urgent: false, guidance: [], reason: 'test' });
    expect(await copy.tick()).toMatchObject({ seq: expect.any(Number) });
    expect(await copy.tick()).toBeUndefined();
    await log.add(incidentId, 'note', 'dsl', { text: 'Spoke to both students.' });
    await copy.tick();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Checkpoint);
    expect(lines).toHaveLength(2);
    expect(await log.verify(lines)).toMatchObject({ intact: true, entries: 2 });
  });
});
