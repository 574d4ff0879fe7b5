import pino, { type DestinationStream, type Logger } from 'pino';
import { maskDeep, maskText } from './mask';

/** Structured JSON logs with personal identifiers masked in both fields and messages. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      formatters: {
        log: (obj) => maskDeep(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as Parameters<typeof method>;
          return method.apply(this, masked);
        },
        // Child-logger fields (e.g. a caller-chosen request id) reach the line unformatted: mask the line itself.
        streamWrite: (line) => maskText(line),
      },
    },
    destination,
  );
}
