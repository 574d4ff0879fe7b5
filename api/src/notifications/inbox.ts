import { Types } from 'mongoose';
import type { InboxMessage, InboxPage, MessageKind } from '@ssp/shared';
import type { ServiceContext } from '../context';
import { keyset } from '../core/pagination';
import { isDuplicateKeyError } from '../db';
import { GroupCommit, outcomesOf, unorderedBulk } from '../core/group-commit';
import { getCitizenMessageModel, type CitizenMessageDoc } from './models';

/** The message centre, newest first. */
const NEWEST_FIRST = keyset<CitizenMessageDoc, 'date'>('at', -1, 'date');

export interface NewMessage {
  /** Unique per message: the same key twice (a retried effect) adds it once. */
  key: string;
  citizenId: string;
  kind: MessageKind;
  title: string;
  body: string;
  page: string | null;
  at: Date;
}

/** Every step of a citizen's cases, points, claims and campaigns, whether or not WeChat was allowed to tell them. */
export class Inbox {
  constructor(private readonly ctx: ServiceContext) {}

  private get Message() {
    return getCitizenMessageModel(this.ctx.db);
  }

  /** Adds a message once per key; messages added together are inserted together. */
  add(message: NewMessage): Promise<void> {
    return this.adding.submit(message);
  }

  private readonly adding = new GroupCommit<NewMessage>(async (messages) => {
    const docs = messages.map((m) => ({ ...m, readAt: null }));
    const errors = await unorderedBulk(docs.length, () => this.Message.collection.insertMany(docs, { ordered: false }));
    // A duplicate key is a retried effect whose message is already there.
    return outcomesOf(errors.map((reason) => (reason && isDuplicateKeyError(reason) ? null : reason)));
  });

  async list(citizenId: string, q: { cursor?: string; limit: number }): Promise<InboxPage> {
    const [docs, unread] = await Promise.all([
      this.Message.find({ citizenId, ...NEWEST_FIRST.after(q.cursor) })
        .sort(NEWEST_FIRST.sort)
        .limit(q.limit + 1)
        .lean<CitizenMessageDoc[]>(),
      this.unreadCount(citizenId),
    ]);
    const { items, nextCursor } = NEWEST_FIRST.page(docs, q.limit);
    return { items: items.map(toMessage), nextCursor, unread };
  }

  async unreadCount(citizenId: string): Promise<number> {
    return this.Message.countDocuments({ citizenId, readAt: null });
  }

  /** Marks the given messages (or all) read; another citizen's ids change nothing. */
  async markRead(citizenId: string, ids?: string[]): Promise<number> {
    const filter: Record<string, unknown> = { citizenId, readAt: null };
    if (ids) filter._id = { $in: ids.map((id) => new Types.ObjectId(id)) };
    await this.Message.updateMany(filter, { $set: { readAt: this.ctx.clock.now() } });
    return this.unreadCount(citizenId);
  }
}

function toMessage(doc: CitizenMessageDoc): InboxMessage {
  return {
    id: String(doc._id),
    kind: doc.kind,
    title: doc.title,
    body: doc.body,
    page: doc.page,
    at: doc.at.toISOString(),
    read: doc.readAt !== null,
  };
}
