import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Image, Input, Picker, Text, Textarea, View } from '@tarojs/components';
import { CAMPAIGN_STATUS_NAMES_ZH, pageUrl, type AdminCampaign, type AreaTree, type PublicCampaign, type PublicCategory } from '@ssp/shared';
import { CampaignView } from '../../components/CampaignView';
import { Sheet } from '../../components/Sheet';
import { Loading } from '../../components/States';
import { usePageQuery } from '../../hooks/usePageQuery';
import { campaignInputFromForm, campaignPatch, emptyCampaignForm, formFromCampaign, toggle, type CampaignForm } from '../../logic/campaign-form';
import type { DraftPhoto } from '../../logic/draft';
import { formatDateTime } from '../../logic/format';
import { UploadQueue, type UploadItem } from '../../logic/upload-queue';
import { cityApi, staffCampaignsApi } from '../../services/api';
import { loadCategories } from '../../services/city-cache';
import { mediaUrl } from '../../services/client';
import { staffApi } from '../../services/session';
import { confirm, errorMessage, isCancel, toastError, toastOk } from '../../services/ui';
import { uploadPhoto } from '../../services/upload';
import { TextScale } from '../../components/TextScale';
import { pickerTrigger, pressable } from '../../components/pressable';
import '../staff.css';

const MULTIPLIERS = ['1', '1.5', '2', '3'];

export default function CampaignEditPage() {
  const params = usePageQuery('campaignEdit');
  const [campaign, setCampaign] = useState<AdminCampaign | null>(null);
  const [form, setForm] = useState<CampaignForm>(() => emptyCampaignForm());
  const [loading, setLoading] = useState(!!params.id);
  const [busy, setBusy] = useState(false);
  const [categories, setCategories] = useState<PublicCategory[]>([]);
  const [areas, setAreas] = useState<AreaTree | null>(null);
  const [preview, setPreview] = useState<PublicCampaign | null>(null);
  const [coverUpload, setCoverUpload] = useState<readonly UploadItem<DraftPhoto>[]>([]);
  const queue = useRef<UploadQueue<DraftPhoto> | null>(null);
  if (!queue.current) {
    queue.current = new UploadQueue<DraftPhoto>((path, onProgress) => uploadPhoto(staffApi, path, onProgress), {
      concurrency: 1,
      onChange: (items) => setCoverUpload([...items]),
      onUploaded: (p) => setForm((f) => ({ ...f, coverPhotoId: p.id, coverThumbUrl: p.thumbUrl })),
    });
  }

  useEffect(() => {
    void loadCategories()
      .then(setCategories)
      .catch(() => undefined);
    void cityApi
      .areas()
      .then(setAreas)
      .catch(() => undefined);
    if (params.id) {
      staffCampaignsApi
        .detail(params.id)
        .then((c) => {
          setCampaign(c);
          setForm(formFromCampaign(c));
        })
        .catch((e: unknown) => toastError(e))
        .finally(() => setLoading(false));
    }
  }, [params.id]);

  const set = (patch: Partial<CampaignForm>) => setForm((f) => ({ ...f, ...patch }));
  const editable = !campaign || campaign.status === 'draft' || campaign.status === 'scheduled' || campaign.status === 'live';

  /** Creates or updates; resolves with the saved campaign (null when the form is not valid). */
  const save = async (): Promise<AdminCampaign | null> => {
    const built = campaignInputFromForm(form);
    if (!built.ok) {
      void Taro.showToast({ title: built.message, icon: 'none' });
      return null;
    }
    if (queue.current!.busy) {
      void Taro.showToast({ title: '封面还在上传', icon: 'none' });
      return null;
    }
    setBusy(true);
    try {
      let saved: AdminCampaign;
      if (campaign) {
        const before = campaignInputFromForm(formFromCampaign(campaign));
        const patch = before.ok ? campaignPatch(before.input, built.input) : built.input;
        saved = Object.keys(patch).length ? await staffCampaignsApi.update(campaign.id, { ...patch, version: campaign.version }) : campaign;
      } else {
        saved = await staffCampaignsApi.create(built.input);
      }
      setCampaign(saved);
      return saved;
    } catch (e) {
      void Taro.showModal({ title: '保存未成功', content: errorMessage(e), showCancel: false });
      return null;
    } finally {
      setBusy(false);
    }
  };

  const run = async (fn: (c: AdminCampaign) => Promise<AdminCampaign>, ok: string) => {
    const saved = await save();
    if (!saved) return;
    setBusy(true);
    try {
      setCampaign(await fn(saved));
      toastOk(ok);
    } catch (e) {
      void Taro.showModal({ title: '操作未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  const pickCover = async () => {
    try {
      const res = await Taro.chooseMedia({ count: 1, mediaType: ['image'], sourceType: ['album', 'camera'], sizeType: ['compressed'] });
      queue.current!.add([res.tempFiles[0]!.tempFilePath]);
    } catch (e) {
      if (!isCancel(e)) toastError(e);
    }
  };

  if (loading) return <Loading />;
  const districts = areas?.districts ?? [];

  return (
    <View className="page">
      <TextScale />
      {campaign && (
        <View className="banner banner--info row row--between">
          <Text>状态：{CAMPAIGN_STATUS_NAMES_ZH[campaign.status]}</Text>
          {campaign.status !== 'draft' && (
            <Text className="card__extra" {...pressable(() => void Taro.navigateTo({ url: pageUrl('campaignResults', { id: campaign.id }) }))}>
              活动效果 ›
            </Text>
          )}
        </View>
      )}
      <View className="card">
        <View className="field">
          <View className="field__label">活动标题</View>
          <Input
            nativeProps={{ 'aria-label': '活动标题' }}
            className="field__input"
            maxlength={40}
            value={form.title}
            placeholder="如：创文明城市 清理小广告"
            onInput={(e) => set({ title: e.detail.value })}
            data-testid="campaign-title"
          />
        </View>
        <View className="field">
          <View className="field__label">一句话摘要（选填）</View>
          <Input
            nativeProps={{ 'aria-label': '一句话摘要' }}
            className="field__input"
            maxlength={120}
            value={form.summary}
            onInput={(e) => set({ summary: e.detail.value })}
            data-testid="campaign-summary"
          />
        </View>
        <View className="field">
          <View className="field__label">封面</View>
          {coverUpload.length ? (
            <Text className="muted">
              {coverUpload[0]!.status === 'failed' ? '封面上传失败，请重新选择' : `正在上传 ${coverUpload[0]!.progress}%`}
            </Text>
          ) : form.coverThumbUrl ? (
            <Image
              className="thumb"
              nativeProps={{ alt: '活动封面' }}
              src={mediaUrl(form.coverThumbUrl)}
              mode="aspectFill"
              {...pressable(() => void pickCover(), { label: '活动封面，点按更换' })}
            />
          ) : (
            <View className="btn btn--small btn--ghost inline-flex" {...pressable(() => void pickCover())}>
              上传封面
            </View>
          )}
        </View>
        <View className="field">
          <View className="field__label">活动说明（空一行分段）</View>
          <Textarea
            nativeProps={{ 'aria-label': '活动说明' }}
            className="field__textarea field__textarea--tall"
            maxlength={5000}
            value={form.bodyText}
            onInput={(e) => set({ bodyText: e.detail.value })}
            data-testid="campaign-body"
          />
        </View>
      </View>

      <View className="card">
        <View className="field">
          <View className="field__label">开始时间</View>
          {(!campaign || campaign.status === 'draft') && (
            <View className="choice">
              <Text
                className={`choice__item ${form.startNow ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ startNow: true }), { role: 'radio', checked: form.startNow })}
                data-testid="start-now"
              >
                发布后立即开始
              </Text>
              <Text
                className={`choice__item ${!form.startNow ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ startNow: false }), { role: 'radio', checked: !form.startNow })}
              >
                指定时间
              </Text>
            </View>
          )}
          {!form.startNow && (
            <View className="row">
              <Picker mode="date" value={form.startDate} onChange={(e) => set({ startDate: String(e.detail.value) })}>
                <View className="choice__item" {...pickerTrigger(`开始日期 ${form.startDate}`)}>
                  {form.startDate}
                </View>
              </Picker>
              <Picker mode="time" value={form.startTime} onChange={(e) => set({ startTime: String(e.detail.value) })}>
                <View className="choice__item" {...pickerTrigger(`开始时间 ${form.startTime}`)}>
                  {form.startTime}
                </View>
              </Picker>
            </View>
          )}
        </View>
        <View className="field">
          <View className="field__label">结束时间</View>
          <View className="row">
            <Picker mode="date" value={form.endDate} onChange={(e) => set({ endDate: String(e.detail.value) })}>
              <View className="choice__item" {...pickerTrigger(`结束日期 ${form.endDate}`)}>
                {form.endDate}
              </View>
            </Picker>
            <Picker mode="time" value={form.endTime} onChange={(e) => set({ endTime: String(e.detail.value) })}>
              <View className="choice__item" {...pickerTrigger(`结束时间 ${form.endTime}`)}>
                {form.endTime}
              </View>
            </Picker>
          </View>
        </View>
        <View className="field">
          <View className="field__label">积分倍数</View>
          <View className="choice">
            {MULTIPLIERS.map((m) => (
              <Text
                key={m}
                className={`choice__item ${form.multiplier === m ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ multiplier: m }), { role: 'radio', checked: form.multiplier === m })}
                data-testid={`multiplier-${m}`}
              >
                ×{m}
              </Text>
            ))}
          </View>
        </View>
        <View className="field">
          <View className="field__label">参与目标人数（选填）</View>
          <Input
            nativeProps={{ 'aria-label': '参与目标人数' }}
            className="field__input"
            type="number"
            value={form.participationGoal}
            onInput={(e) => set({ participationGoal: e.detail.value })}
          />
        </View>
      </View>

      <View className="card">
        <View className="field">
          <View className="field__label">活动类别（不选为全部类别）</View>
          <View className="choice">
            {categories.slice(0, 30).map((c) => (
              <Text
                key={c.id}
                className={`choice__item ${form.targetCategoryIds.includes(c.id) ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ targetCategoryIds: toggle(form.targetCategoryIds, c.id) }), {
                  role: 'checkbox',
                  checked: form.targetCategoryIds.includes(c.id),
                })}
                data-testid="campaign-category"
              >
                {c.name}
              </Text>
            ))}
          </View>
        </View>
        <View className="field">
          <View className="field__label">活动区域（不选为全市）</View>
          <View className="choice">
            {districts.map((d) => (
              <Text
                key={d.id}
                className={`choice__item ${form.targetAreaIds.includes(d.id) ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ targetAreaIds: toggle(form.targetAreaIds, d.id) }), {
                  role: 'checkbox',
                  checked: form.targetAreaIds.includes(d.id),
                })}
              >
                {d.name}
              </Text>
            ))}
          </View>
        </View>
      </View>

      {editable && (
        <View className="card">
          <View className="btn-row">
            <View
              className={`btn ${busy ? 'btn--disabled' : ''}`}
              aria-disabled={!!busy}
              {...pressable(() => !busy && void save().then((c) => c && toastOk('已保存')))}
              data-testid="campaign-save"
            >
              保存
            </View>
            <View
              className={`btn btn--ghost ${busy ? 'btn--disabled' : ''}`}
              aria-disabled={!!busy}
              {...pressable(async () => {
                if (busy) return;
                const saved = await save();
                if (saved) setPreview(await staffCampaignsApi.preview(saved.id).catch(() => null));
              })}
              data-testid="campaign-preview"
            >
              预览
            </View>
          </View>
          {(!campaign || !campaign.published) && (
            <View
              className={`btn btn--primary btn--block ${busy ? 'btn--disabled' : ''} mt-m`}
              aria-disabled={!!busy}

              {...pressable(async () => {
                if (busy || !(await confirm('发布活动', '发布后市民即可看到并参与，确定发布吗？', '发布'))) return;
                void run((c) => staffCampaignsApi.publish(c.id, c.version), '已发布');
              })}
              data-testid="campaign-publish"
            >
              发布
            </View>
          )}
          {campaign?.status === 'live' && (
            <View
              className="btn btn--danger btn--block mt-m"

              {...pressable(async () => {
                if (busy || !(await confirm('提前结束', '结束后新的上报不再按活动计分，确定结束吗？', '结束'))) return;
                setBusy(true);
                staffCampaignsApi
                  .end(campaign.id, campaign.version)
                  .then((c) => {
                    setCampaign(c);
                    toastOk('活动已结束');
                  })
                  .catch((e: unknown) => toastError(e))
                  .finally(() => setBusy(false));
              })}
            >
              提前结束
            </View>
          )}
        </View>
      )}

      {campaign && campaign.changes.length > 0 && (
        <View className="card">
          <View className="card__title">修改记录</View>
          {[...campaign.changes].reverse().map((ch, i) => (
            <View key={i} className="kv">
              <Text className="kv__k">{formatDateTime(ch.at)}</Text>
              <Text className="kv__v">
                {ch.by.name} · {({ create: '创建', update: '修改', publish: '发布', unpublish: '撤下', end: '结束' } as const)[ch.action]}
                {ch.fields.length && ch.action === 'update' ? `：${ch.fields.join('、')}` : ''}
              </Text>
            </View>
          ))}
        </View>
      )}

      <Sheet title="预览（市民看到的样子）" open={!!preview} onClose={() => setPreview(null)}>
        {preview && <CampaignView campaign={preview} />}
      </Sheet>
    </View>
  );
}
