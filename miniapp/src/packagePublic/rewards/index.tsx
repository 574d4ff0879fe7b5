import { useRef, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { pageUrl, tabUrl, type Reward } from '@ssp/shared';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { useSession } from '../../hooks/useSession';
import { newClientRequestId } from '../../logic/ids';
import { pointsApi } from '../../services/api';
import { refreshMe, requireCitizen } from '../../services/session';
import { confirm, toastError } from '../../services/ui';
import '../public.css';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

export default function RewardsPage() {
  const { me } = useSession();
  const rewards = useAsync(() => pointsApi.rewards());
  // The balance as it is now (points may have arrived since the profile was cached).
  useDidShow(() => void refreshMe().catch(() => undefined));
  const [busyId, setBusyId] = useState<string | null>(null);
  // One id per intended claim: a retry after a network failure cannot claim twice.
  const pending = useRef<Record<string, string>>({});

  const claim = async (r: Reward) => {
    if (!(await requireCitizen())) return;
    if (r.needsPhone && !me?.phoneMasked) {
      if (await confirm('需要手机号', '话费将充值到您绑定的手机号，请先在“我的”中绑定手机号。', '去绑定')) {
        void Taro.switchTab({ url: tabUrl('mine') });
      }
      return;
    }
    if (!(await confirm('确认兑换', `使用 ${r.costPoints} 积分兑换「${r.name}」？`, '兑换'))) return;
    setBusyId(r.id);
    pending.current[r.id] ??= newClientRequestId();
    try {
      const c = await pointsApi.claim(r.id, pending.current[r.id]!);
      delete pending.current[r.id];
      void refreshMe().catch(() => undefined);
      void rewards.reload();
      await Taro.showModal({ title: '兑换已提交', content: `「${c.rewardName}」${c.statusName}。发放后可在“我的兑换”中查看。`, showCancel: false });
      void Taro.navigateTo({ url: pageUrl('claims') });
    } catch (e) {
      toastError(e);
    } finally {
      setBusyId(null);
    }
  };

  return (
    <View className="page">
      <TextScale />
      <View className="card row row--between">
        <Text>
          我的积分 <Text className="reward__cost">{me?.points ?? 0}</Text>
        </Text>
        <Text className="card__extra" {...pressable(() => void Taro.navigateTo({ url: pageUrl('claims') }))}>
          我的兑换 ›
        </Text>
      </View>
      {rewards.error && !rewards.data ? (
        <LoadError message={rewards.error} onRetry={() => void rewards.reload()} />
      ) : !rewards.data ? (
        <Loading />
      ) : !rewards.data.length ? (
        <EmptyState title="暂时没有可兑换的奖品" hint="奖品上架后会第一时间展示在这里" />
      ) : (
        <View className="card" data-testid="rewards">
          {rewards.data.map((r) => {
            const short = (me?.points ?? 0) < r.costPoints;
            const soldOut = r.stockLeft <= 0;
            return (
              <View key={r.id} className="reward" data-testid="reward">
                <Text className="reward__icon">{r.kindName}</Text>
                <View className="grow">
                  <Text className="bold">{r.name}</Text>
                  {r.description && <Text className="muted small block">{r.description}</Text>}
                  <Text className="small">
                    <Text className="reward__cost">{r.costPoints} 积分</Text>
                    <Text className="muted"> · 剩余 {r.stockLeft}</Text>
                    {r.perCitizenLimit ? (
                      <Text className="muted">
                        {' '}
                        · 每人{r.limitPeriod === 'month' ? '每月' : ''}限 {r.perCitizenLimit} 次
                      </Text>
                    ) : null}
                  </Text>
                </View>
                <View
                  className={`btn btn--small ${soldOut || short ? 'btn--disabled' : 'btn--primary'}`}
                  aria-disabled={soldOut || short}
                  {...pressable(() => !soldOut && !short && busyId === null && void claim(r))}
                >
                  {soldOut ? '已兑完' : short ? '积分不足' : busyId === r.id ? '兑换中' : '兑换'}
                </View>
              </View>
            );
          })}
        </View>
      )}
    </View>
  );
}
