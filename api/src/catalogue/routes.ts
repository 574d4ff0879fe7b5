import Router from '@koa/router';
import type { Services } from '../services';

export function catalogueRoutes(_services: Services): Router {
  return new Router();
}
