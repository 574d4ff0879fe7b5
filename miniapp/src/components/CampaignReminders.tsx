import { useState } from 'react';
import { Switch, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { campaignsApi, cityApi } from '../services/api';
import { isCitizenSignedIn, requireCitizen } from '../services/session';
import { askToSubscribe, loadSubscriptions } from '../services/subscriptions';
import { toastError, toastOk } from '../services/ui';

/**
 * 活动提醒: a citizen picks the districts whose new campaigns they want to hear of. The
 * reminder lands in the message centre; on WeChat, also as a subscribe message when the
 * citizen allows it in the popup shown on switching on.
 */
export function CampaignReminders() {
  const [districts, setDistricts] = useState<{ id: string; name: string }[]>([]);
  const [on, setOn] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);

  useDidShow(() => {
    void cityApi
      .areas()
      .then((tree) => setDistricts(tree.districts.map((d) => ({ id: d.id, name: d.name }))))
      .catch(() => undefined);
    if (isCitizenSignedIn()) {
      void campaignsApi
        .subscriptions()
        .then((s) => setOn(new Set(s.districtIds)))
        .catch(() => undefined);
      void loadSubscriptions();
    }
  });

  const toggle = async (districtId: string, value: boolean) => {
    // The WeChat popup first: it opens only straight from the tap.
    if (value) await askToSubscribe(['campaign']);
    if (busy || !(await requireCitizen())) return;
    setBusy(true);
    try {
      const next = value ? await campaignsApi.subscribe(districtId) : await campaignsApi.unsubscribe(districtId);
      setOn(new Set(next.districtIds));
      toastOk(value ? '已开启活动提醒' : '已关闭活动提醒');
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!districts.length) return null;
  return (
    <View className="card" data-testid="campaign-reminders">
      <View className="card__title">活动提醒</View>
      <Text className="muted small block mb-s">有新活动开始时通知我（消息中心{process.env.TARO_ENV === 'weapp' ? '和微信' : ''}）</Text>
      {districts.map((d) => (
        <View key={d.id} className="list-item">
          <Text className="grow" id={`remind-${d.id}`}>
            {d.name}
          </Text>
          <Switch
            nativeProps={{ 'aria-label': `${d.name}活动提醒` }}
            checked={on.has(d.id)}
            disabled={busy}
            aria-labelledby={`remind-${d.id}`}
            data-testid={`remind-${d.id}`}
            onChange={(e) => void toggle(d.id, e.detail.value)}
          />
        </View>
      ))}
    </View>
  );
}
