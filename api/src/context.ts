import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** What every service is built from. Tests pass their own clock to move time. */
export interface ServiceContext {
  config: Config;
  db: Connection;
  logger: Logger;
  clock: Clock;
}
