import { useEffect, useMemo, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Input, Switch, Text, Textarea, View } from '@tarojs/components';
import { DESCRIPTION_MAX_LENGTH, MAX_PHOTOS_PER_REPORT, pageUrl, type PublicCategory } from '@ssp/shared';
import { CategoryPicker } from '../../components/CategoryPicker';
import { LocationPicker } from '../../components/LocationPicker';
import { NearbyCases } from '../../components/NearbyCases';
import { PhotoTiles } from '../../components/PhotoTiles';
import { Sheet } from '../../components/Sheet';
import { StatusChip } from '../../components/StatusChip';
import { useReportDraft } from '../../hooks/useReportDraft';
import { useSession } from '../../hooks/useSession';
import { hasContent } from '../../logic/draft';
import { RECENT_CATEGORIES_KEY } from '../../logic/categories';
import { cachedCategories, cachedCity, loadCategories, loadCity } from '../../services/city-cache';
import { mediaUrl } from '../../services/client';
import { ensureCitizen } from '../../services/session';
import { storage } from '../../services/storage';
import './index.css';
import { loadSubscriptions } from '../../services/subscriptions';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

export default function ReportPage() {
  const r = useReportDraft();
  const { signedIn } = useSession();
  const [categories, setCategories] = useState<PublicCategory[]>(cachedCategories);
  const [center, setCenter] = useState(cachedCity()?.center ?? null);
  const [pickerOpen, setPickerOpen] = useState(false);

  useEffect(() => {
    void loadCategories()
      .then(setCategories)
      .catch(() => undefined);
    void loadCity().then((c) => c && setCenter(c.center));
  }, []);

  useDidShow(() => {
    r.reloadDraft();
    void ensureCitizen().then((ok) => {
      if (!ok) return;
      r.autoLocate();
      // The subscribe popup at submit needs the template ids before the tap.
      void loadSubscriptions();
    });
  });

  // Read again each time the picker opens (a report may have added a recent category).
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const recentIds = useMemo(() => storage.get<string[]>(RECENT_CATEGORIES_KEY) ?? [], [pickerOpen]);
  const d = r.draft;

  if (r.submitted) {
    const s = r.submitted;
    return (
      <View className="page report">
        <TextScale />
        <View className="card report__done" data-testid="report-success">
          <Text className="report__done-icon">✓</Text>
          <Text className="report__done-title">上报成功</Text>
          <Text className="muted">案件编号 {s.caseNo}</Text>
          <View className="row my-m">
            <StatusChip status={s.status} />
            <Text className="muted small ml-s">{s.categoryName}</Text>
          </View>
          <Text className="muted small report__done-hint">
            {process.env.TARO_ENV === 'weapp' ? '处理进度会通过微信消息通知您，' : ''}立案后即可获得积分。
          </Text>
          <View className="btn btn--primary btn--block" {...pressable(() => void Taro.navigateTo({ url: pageUrl('reportDetail', { id: s.id }) }))}>
            查看处理进度
          </View>
          <View className="btn btn--block" {...pressable(r.startOver)}>
            再拍一个
          </View>
        </View>
      </View>
    );
  }

  return (
    <View className="page report">
      {!signedIn && (
        <View className="banner banner--info row row--between" {...pressable(() => void Taro.navigateTo({ url: pageUrl('login') }))}>
          <Text>登录后即可上报问题、跟踪进度、获得积分</Text>
          <Text className="card__extra">去登录 ›</Text>
        </View>
      )}
      {d.campaign && (
        <View className="banner row row--between" data-testid="campaign-banner">
          <Text className="grow">
            正在参与「{d.campaign.title}」{d.campaign.multiplier && d.campaign.multiplier > 1 ? `，积分 ×${d.campaign.multiplier}` : ''}
          </Text>
          <Text className="card__extra" {...pressable(() => r.update((x) => ({ ...x, campaign: null })))}>
            退出
          </Text>
        </View>
      )}
      {hasContent(d) && d.updatedAt < Date.now() - 10 * 60_000 && (
        <View className="banner banner--info row row--between">
          <Text>已为您恢复上次未提交的上报</Text>
          <Text className="card__extra" {...pressable(r.discardDraft)}>
            清空
          </Text>
        </View>
      )}

      <View className="card">
        <View className="card__title">
          <Text>
            <Text className="report__step">1</Text>拍下问题
          </Text>
          <Text className="muted small">最多 {MAX_PHOTOS_PER_REPORT} 张</Text>
        </View>
        <PhotoTiles
          photos={d.photos}
          uploads={r.uploads}
          max={MAX_PHOTOS_PER_REPORT}
          onAdd={() => void r.addPhotosFromDevice()}
          onRemove={r.removePhoto}
          onRetry={(k) => r.queue.retry(k)}
          onDiscard={(k) => r.discardUpload(k)}
          onPreview={(i) => void Taro.previewImage({ urls: d.photos.map((p) => mediaUrl(p.url)), current: mediaUrl(d.photos[i]!.url) })}
        />
      </View>

      <View className="card">
        <View className="card__title">
          <Text>
            <Text className="report__step">2</Text>问题位置
          </Text>
        </View>
        <LocationPicker
          value={d.location}
          center={center}
          placeText={r.place.text}
          placeError={r.place.error}
          locating={r.locating}
          exif={r.exifLocation}
          onLocate={() => void r.locate()}
          onChange={r.setLocation}
        />
        <View className="field mt-m">
          <View className="field__label">详细地址（可修改）</View>
          <Input
            className="field__input"
            nativeProps={{ 'aria-label': '详细地址' }}
            maxlength={120}
            placeholder="如：幸福小区 3 栋门口"
            value={d.address}
            onInput={(e) => r.update((x) => ({ ...x, address: e.detail.value }))}
            data-testid="address"
          />
        </View>
      </View>

      <View className="card">
        <View className="card__title">
          <Text>
            <Text className="report__step">3</Text>问题类型
          </Text>
        </View>
        <View
          className="report__category"
          {...pressable(() => setPickerOpen(true), { label: d.categoryName ? `问题类型：${d.categoryName}，点按更换` : '选择问题类型' })}
          data-testid="category-field"
        >
          <Text className={d.categoryId ? 'report__category-name' : 'muted'}>{d.categoryName ?? '选择问题类型'}</Text>
          <Text className="list-item__arrow">›</Text>
        </View>
        <Textarea
          className="field__textarea report__desc"
          nativeProps={{ 'aria-label': '问题描述（选填）' }}
          placeholder="补充说明（选填）：具体位置、问题情况…"
          maxlength={DESCRIPTION_MAX_LENGTH}
          value={d.description}
          onInput={(e) => r.update((x) => ({ ...x, description: e.detail.value }))}
          data-testid="description"
        />
        <View className="row row--between report__anon">
          <View className="grow">
            <Text>匿名上报</Text>
            <Text className="muted small report__anon-hint">对外不显示您的昵称，积分照常发放</Text>
          </View>
          <Switch
            nativeProps={{ 'aria-label': '匿名上报' }}
            checked={d.anonymous}
            color="#0958d9"
            onChange={(e) => r.update((x) => ({ ...x, anonymous: e.detail.value }))}
          />
        </View>
      </View>

      <NearbyCases items={r.nearby} busyId={r.supportingId} onSupport={(c) => void r.support(c)} />

      <View
        className={`btn btn--primary btn--block report__submit ${r.missing.length || r.submitting ? 'btn--disabled' : ''}`}
        aria-disabled={!!(r.missing.length || r.submitting)}
        {...pressable(() => !r.submitting && void r.submit())}
        data-testid="submit"
      >
        {r.submitting ? '正在提交…' : r.submitFailed ? '重新提交' : '提交上报'}
      </View>
      {r.missing.length > 0 && (
        <Text className="muted small report__missing">
          还差：{r.missing.map((m) => ({ photos: '照片', location: '位置', category: '问题类型', description: '描述过长' })[m]).join('、')}
        </Text>
      )}

      <Sheet title="选择问题类型" open={pickerOpen} onClose={() => setPickerOpen(false)}>
        <CategoryPicker
          categories={categories}
          selectedId={d.categoryId}
          recentIds={recentIds}
          campaignIds={d.campaign?.categoryIds}
          onSelect={(c) => {
            r.chooseCategory(c);
            setPickerOpen(false);
          }}
        />
      </Sheet>
    </View>
  );
}
