import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { pageUrl } from '@ssp/shared';
import { Figures } from './Figures';
import { headline, lastMonths, currentMonth, type Headline } from '../logic/stats';
import { statsApi } from '../services/api';
import { formatCount } from '../logic/format';
import { pressable } from './pressable';
import './blocks.css';

/** 首页: what the city fixed this month, from the public statistics. Hidden until it loads. */
export function HeadlineFigures() {
  const [h, setH] = useState<Headline | null>(null);
  useEffect(() => {
    const month = currentMonth();
    Promise.all([statsApi.summary({ from: month, to: month }), statsApi.summary(lastMonths(12)).catch(() => null)])
      .then(([m, y]) => setH(headline(m, y)))
      .catch(() => setH(null));
  }, []);
  if (!h) return null;
  return (
    <View className="card" {...pressable(() => void Taro.navigateTo({ url: pageUrl('stats') }))} data-testid="headline">
      <View className="card__title">
        <Text>城市管理成效</Text>
        <Text className="card__extra">数据公开 ›</Text>
      </View>
      <Figures
        items={[
          { value: formatCount(h.closedThisMonth), label: '本月结案' },
          { value: h.onTimeText, label: h.onTimeLabel },
          { value: formatCount(h.reportedThisMonth), label: '本月收到上报' },
        ]}
      />
    </View>
  );
}
