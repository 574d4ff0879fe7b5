import type { Health, Readiness } from '@ssp/shared';
import type { Connection } from 'mongoose';
import { pingDatabase } from '../db';
import { ApiError } from '../core/errors';
import type { Handlers, OperationsOfTag } from '../core/operations';

const startedAt = Date.now();

/** Liveness (the process answers) and readiness (the database answers). */
export function healthHandlers(deps: { db: Connection; version: string }): Handlers<OperationsOfTag<'health'>> {
  return {
    health: (_input, ctx) => {
      ctx.set('Cache-Control', 'no-store');
      const body: Health = { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), version: deps.version };
      return body;
    },
    readiness: async (_input, ctx) => {
      ctx.set('Cache-Control', 'no-store');
      if (!(await pingDatabase(deps.db))) {
        throw new ApiError(503, 'SERVICE_UNAVAILABLE', '数据库不可用', [{ field: 'database', issue: 'down' }]);
      }
      const body: Readiness = { status: 'ready', database: 'up' };
      return body;
    },
  };
}
