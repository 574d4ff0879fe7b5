import { useEffect } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { InboxMessage, MessageKind } from '@ssp/shared';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useCursorPages } from '../../hooks/useCursorPages';
import { formatRelative } from '../../logic/format';
import { messagesApi } from '../../services/api';
import { requireCitizen } from '../../services/session';
import { refreshUnreadBadge } from '../../services/subscriptions';
import './index.css';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

const KIND_LABELS: Record<MessageKind, string> = { case: '进度', reply: '回复', points: '积分', claim: '兑换', campaign: '活动' };

/** 消息: every step of my cases, replies, points, claims and campaigns, newest first; read once seen. */
export default function MessagesPage() {
  const { items, loading, error, hasMore, reload } = useCursorPages<InboxMessage>((cursor) => messagesApi.page(cursor), { guard: requireCitizen });

  // Seen is read: the unread ones shown are marked, then the badge follows.
  const unseen = items.filter((m) => !m.read).map((m) => m.id);
  const unseenKey = unseen.join(',');
  useEffect(() => {
    if (!unseenKey) return;
    void messagesApi
      .markRead(unseenKey.split(','))
      .then(() => refreshUnreadBadge())
      .catch(() => undefined);
  }, [unseenKey]);

  if (error && !items.length) return <LoadError message={error} onRetry={() => void reload()} />;
  if (!items.length && loading) return <Loading />;
  if (!items.length) return <EmptyState title="暂无消息" hint="上报的处理进度、积分和活动提醒会出现在这里" />;

  return (
    <View className="page" data-testid="messages">
      <TextScale />
      <View className="card">
        {items.map((m) => (
          <View
            key={m.id}
            className={`list-item message ${m.read ? '' : 'message--unread'}`}
            {...(m.page ? pressable(() => void Taro.navigateTo({ url: `/${m.page}` }), 'link') : {})}
            data-testid="message"
          >
            <View className="grow">
              <View className="row row--between">
                <Text className="bold ellipsis grow">
                  {!m.read && <Text className="message__dot" aria-label="未读" />}
                  {m.title}
                </Text>
                <Text className="muted small">{KIND_LABELS[m.kind]}</Text>
              </View>
              <Text className="block message__body">{m.body}</Text>
              <Text className="muted small">{formatRelative(m.at)}</Text>
            </View>
          </View>
        ))}
        {hasMore && <View className="muted small load-more">{loading ? '加载中…' : '上拉加载更多'}</View>}
      </View>
    </View>
  );
}
