import { Writable } from 'node:stream';
import { correlation } from './correlation';
import { createLogger } from './logger';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('the logs', () => {
  it('carry the correlation id of the request being handled, and none outside one', async () => {
    const { lines, logger } = capture();
    await correlation.run({ id: 'req-42' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.info({ incident: 'i-1' }, 'incident card delivered');
    });
    logger.info('server started');
    expect(lines[0]).toMatchObject({ correlationId: 'req-42', incident: 'i-1' });
    expect(lines[1]!.correlationId).toBeUndefined();
  });

  it('keep personal data out: names, addresses, UPNs and message text are redacted', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        person: { displayName: 'Jamie Brown', userPrincipalName: 'jamie.brown@students.demo-academy.org.uk', email: 'parent@example.net' },
        message: { text: 'please help' },
      },
      'x',
    );
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/Jamie|jamie\.brown|parent@example|please help/);
  });
});
