import { z } from 'zod';

/**
 * The opaque cursor of every paginated list (`nextCursor` of the page before): base64url
 * text the API writes and reads back (api/src/core/pagination.ts); clients never look inside.
 */
export const cursorSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, '无效的分页游标');
