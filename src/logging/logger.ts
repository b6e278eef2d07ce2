import pino, { type Logger } from 'pino';
import { currentCorrelationId } from './correlation';

/**
 * Structured JSON logs. Personal data stays out by default: tokens, names, UPNs and message text
 * are redacted wherever they appear in a logged object.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { app: 'esafety' },
      mixin: () => {
        const id = currentCorrelationId();
        return id ? { correlationId: id } : {};
      },
      redact: {
        paths: ['req.headers.authorization', '*.authorization', '*.token', '*.upn', '*.userPrincipalName', '*.displayName', '*.name', '*.text', '*.email'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

export type { Logger };
