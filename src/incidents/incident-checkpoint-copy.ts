import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Checkpoint, IncidentLog } from './incident-log';

/**
 * The external copy of the checkpoints: the sealed head appended to a file the database's owner
 * cannot rewrite (an Azure Files share or Blob container with a time-based immutability policy, or
 * a drive the DSL keeps). It catches a tail removed together with its audit-log checkpoints.
 */
export class CheckpointCopy {
  constructor(
    private readonly log: IncidentLog,
    private readonly file: string,
  ) {}

  /** Appends the head when it moved since the last line; returns it when it did. */
  async tick(): Promise<Checkpoint | undefined> {
    const head = await this.log.head();
    if (!head) return undefined;
    const last = this.last();
    if (last && last.seq === head.seq && last.hash === head.hash) return undefined;
    appendFileSync(this.file, `${JSON.stringify(head)}\n`);
    return head;
  }

  private last(): Checkpoint | undefined {
    if (!existsSync(this.file)) return undefined;
    const line = readFileSync(this.file, 'utf8').trim().split('\n').at(-1);
    try {
      return line ? (JSON.parse(line) as Checkpoint) : undefined;
    } catch {
      return undefined;
    }
  }
}
