import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';

/** The citizen's message centre and subscribe-message grants. */
export function notificationHandlers({ notifications }: Services): Handlers<OperationsOfTag<'notifications'>> {
  return {
    listMyMessages: ({ caller, query }) => notifications.inbox.list(caller.userId, query),
    myUnreadCount: async ({ caller }) => ({ unread: await notifications.inbox.unreadCount(caller.userId) }),
    markMessagesRead: async ({ caller, body }) => ({ unread: await notifications.inbox.markRead(caller.userId, body?.ids) }),
    mySubscriptions: ({ caller }) => notifications.quotas.status(caller.userId),
    recordSubscriptions: ({ caller, body }) => notifications.quotas.record(caller.userId, body),
  };
}
