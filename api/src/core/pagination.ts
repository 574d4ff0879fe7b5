import { Types } from 'mongoose';
import { validationFailed } from './errors';

/**
 * Keyset pagination, one cursor format for every list: an opaque base64url token of
 * the list's sort field, the last item's value of it and its `_id` (the tie-break), so
 * a page starts exactly after the previous one however many items arrive meanwhile.
 */

/** How the sort field's value is written in the cursor. `_id` sorts need none. */
type KeyKind = 'date' | 'number';
type KeyValue<K extends KeyKind> = K extends 'date' ? Date : number;

interface Keyed {
  _id: Types.ObjectId;
}

export interface Keyset<D extends Keyed> {
  /** The sort to query with: the field, then `_id` the same way. */
  readonly sort: Record<string, 1 | -1>;
  /** The filter of the items after `cursor` (empty without one); a bad cursor is 400 VALIDATION_FAILED on `cursor`. */
  after(cursor: string | null | undefined): Record<string, unknown>;
  /** The page out of `limit + 1` items read, and the next page's cursor (null on the last page). */
  page<T extends D>(docs: T[], limit: number): { items: T[]; nextCursor: string | null };
}

const OBJECT_ID = /^[a-f0-9]{24}$/;

const badCursor = () => validationFailed([{ field: 'cursor', issue: '无效的分页游标' }]);

function encode(payload: unknown[]): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function decode(cursor: string): unknown[] {
  try {
    const payload: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(payload)) return payload;
  } catch {
    // falls through to the one refusal below
  }
  throw badCursor();
}

/**
 * A keyset on `field` (a Date or number field; `_id` for lists in `_id` order), ascending
 * (1) or descending (-1). The cursor names the field, so one list's cursor is refused by another.
 */
export function keyset<D extends Keyed>(field: '_id', direction: 1 | -1): Keyset<D>;
export function keyset<D extends Keyed, K extends KeyKind>(field: string, direction: 1 | -1, kind: K): Keyset<D>;
export function keyset<D extends Keyed>(field: string, direction: 1 | -1, kind?: KeyKind): Keyset<D> {
  const beyond = direction === 1 ? '$gt' : '$lt';
  const byId = field === '_id';

  const write = (doc: D): string => {
    if (byId) return encode([field, String(doc._id)]);
    const value = (doc as unknown as Record<string, unknown>)[field];
    return encode([field, value instanceof Date ? value.getTime() : value, String(doc._id)]);
  };

  const read = (cursor: string): { value?: KeyValue<KeyKind>; id: Types.ObjectId } => {
    const payload = decode(cursor);
    const [name, ...rest] = payload;
    if (name !== field || rest.length !== (byId ? 1 : 2)) throw badCursor();
    const id = rest[rest.length - 1];
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) throw badCursor();
    if (byId) return { id: new Types.ObjectId(id) };
    const raw = rest[0];
    if (typeof raw !== 'number' || !Number.isFinite(raw)) throw badCursor();
    if (kind === 'date') {
      const at = new Date(raw);
      if (!Number.isInteger(raw) || Number.isNaN(at.getTime())) throw badCursor();
      return { value: at, id: new Types.ObjectId(id) };
    }
    return { value: raw, id: new Types.ObjectId(id) };
  };

  return {
    sort: byId ? { _id: direction } : { [field]: direction, _id: direction },
    after(cursor) {
      if (!cursor) return {};
      const { value, id } = read(cursor);
      if (byId) return { _id: { [beyond]: id } };
      return { $or: [{ [field]: { [beyond]: value } }, { [field]: value, _id: { [beyond]: id } }] };
    },
    page(docs, limit) {
      const items = docs.slice(0, limit);
      return { items, nextCursor: docs.length > limit && items.length > 0 ? write(items[items.length - 1]!) : null };
    },
  };
}
