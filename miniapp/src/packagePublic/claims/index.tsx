import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { pageUrl } from '@ssp/shared';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { formatDateTime } from '../../logic/format';
import { pointsApi } from '../../services/api';
import { requireCitizen } from '../../services/session';
import '../public.css';
import { TextScale } from '../../components/TextScale';

const TONE: Record<string, string> = { reserving: 'waiting', pending: 'waiting', fulfilled: 'done', failed: 'void', rejected: 'void' };

export default function ClaimsPage() {
  const claims = useAsync(async () => ((await requireCitizen()) ? (await pointsApi.claims()).items : []));
  usePullDownRefresh(() => void claims.reload().finally(() => Taro.stopPullDownRefresh()));

  if (!claims.data) return claims.error ? <LoadError message={claims.error} onRetry={() => void claims.reload()} /> : <Loading />;
  return (
    <View className="page">
      <TextScale />
      {!claims.data.length ? (
        <EmptyState title="还没有兑换记录" actionText="去兑换" onAction={() => void Taro.redirectTo({ url: pageUrl('rewards') })} />
      ) : (
        <View className="card" data-testid="claims">
          {claims.data.map((c) => (
            <View key={c.id} className="list-item">
              <View className="grow">
                <Text className="bold">{c.rewardName}</Text>
                <Text className="muted small block">
                  {formatDateTime(c.createdAt)} · {c.costPoints} 积分{c.phoneMasked ? ` · 充值到 ${c.phoneMasked}` : ''}
                </Text>
                {c.fulfilmentCode && <Text className="small block">凭证：{c.fulfilmentCode}</Text>}
                {c.deliveredAt && <Text className="small block">送达时间：{formatDateTime(c.deliveredAt)}</Text>}
                {c.failReason && <Text className="small danger-text">{c.failReason}</Text>}
              </View>
              <Text className={`chip chip--${TONE[c.status] ?? 'active'}`}>{c.statusName}</Text>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
