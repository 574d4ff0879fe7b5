import { Image, RichText, Text, View } from '@tarojs/components';
import type { PublicCampaign } from '@ssp/shared';
import { Figures } from './Figures';
import { formatDateTime } from '../logic/format';
import { mediaUrl } from '../services/client';
import './blocks.css';

/** A campaign as citizens see it; the staff preview shows exactly this. */
export function CampaignView({ campaign: c }: { campaign: PublicCampaign }) {
  const goal = c.progress.goal;
  const pct = goal ? Math.min(100, Math.round((c.progress.participants / goal) * 100)) : null;
  // Relative /media/ URLs inside the rich text need the API origin on WeChat.
  const body = c.body.replace(/src="(\/media\/[^"]+)"/g, (_m, p: string) => `src="${mediaUrl(p)}" style="max-width:100%"`);
  return (
    <View data-testid="campaign-view">
      {c.cover ? (
        <Image className="camp-cover" nativeProps={{ alt: '活动封面' }} src={mediaUrl(c.cover.url)} mode="aspectFill" />
      ) : (
        <View className="camp-cover camp-cover--blank">{c.multiplier > 1 ? `积分 ×${c.multiplier}` : '城市共建'}</View>
      )}
      <View className="card">
        <Text className="camp-title">{c.title}</Text>
        {c.summary && <Text className="muted">{c.summary}</Text>}
        <View className="camp-tags">
          <Text className={`chip ${c.status === 'live' ? 'chip--done' : 'chip--waiting'}`}>{c.statusName}</Text>
          {c.multiplier > 1 && <Text className="chip chip--danger">积分 ×{c.multiplier}</Text>}
        </View>
        <Text className="muted small block">
          {formatDateTime(c.startAt)} — {formatDateTime(c.endAt)}
        </Text>
        <Text className="small block mt-s">
          活动类别：{c.targetCategories.length ? c.targetCategories.map((t) => t.name).join('、') : '全部类别'}
        </Text>
        <Text className="small block">活动区域：{c.targetAreas.length ? c.targetAreas.map((t) => t.name).join('、') : '全市'}</Text>
      </View>
      <View className="card">
        <Figures
          items={[
            { value: c.progress.participants, label: '参与市民' },
            { value: c.progress.reportsReceived, label: '收到上报' },
            { value: c.progress.fixed, label: '已解决' },
          ]}
        />
        {pct !== null && (
          <View className="mt-m">
            <Text className="muted small">
              参与目标 {goal} 人，已完成 {pct}%
            </Text>
            <View className="progress">
              <View className="progress__fill" style={{ width: `${pct}%` }} />
            </View>
          </View>
        )}
      </View>
      {c.body && (
        <View className="card camp-body">
          <RichText nodes={body} />
        </View>
      )}
    </View>
  );
}
