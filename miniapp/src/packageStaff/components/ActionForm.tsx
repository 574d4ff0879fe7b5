import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { OPEN_CASE_STATES, REJECT_REASON_NAMES_ZH, type PublicDepartment, type StaffCaseDetail, type StaffCaseSummary } from '@ssp/shared';
import { PhotoTiles } from '../../components/PhotoTiles';
import type { DraftPhoto } from '../../logic/draft';
import { buildActionBody, type ActionForm as Form, type ActionSpec } from '../../logic/staff-actions';
import { UploadQueue, type UploadItem } from '../../logic/upload-queue';
import { staffCasesApi } from '../../services/api';
import { staffApi } from '../../services/session';
import { isCancel, toastError } from '../../services/ui';
import { uploadPhoto } from '../../services/upload';
import { pressable } from '../../components/pressable';

interface Props {
  spec: ActionSpec;
  detail: StaffCaseDetail;
  departments: PublicDepartment[];
  busy: boolean;
  onSubmit: (body: ReturnType<typeof buildActionBody>) => void;
  onCancel: () => void;
}

/** The fields one workbench action needs (from its spec), and its submit. */
export function ActionForm({ spec, detail, departments, busy, onSubmit, onCancel }: Props) {
  const [form, setForm] = useState<Form>({ departmentId: detail.departmentId ?? detail.proposedDepartments[0], extraUnit: 'work_days' });
  const [photos, setPhotos] = useState<DraftPhoto[]>([]);
  const [uploads, setUploads] = useState<readonly UploadItem<DraftPhoto>[]>([]);
  const [duplicates, setDuplicates] = useState<StaffCaseSummary[]>([]);
  const [targets, setTargets] = useState<{ id: string; name: string }[]>([]);
  const queue = useRef<UploadQueue<DraftPhoto> | null>(null);
  if (!queue.current) {
    queue.current = new UploadQueue<DraftPhoto>((path, onProgress) => uploadPhoto(staffApi, path, onProgress), {
      onChange: (items) => setUploads([...items]),
      onUploaded: (p) => setPhotos((list) => [...list, p]),
    });
  }
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));

  useEffect(() => {
    if (spec.duplicateOf) {
      staffCasesApi
        .queue({ categoryId: detail.categoryId, limit: '50' })
        .then((r) => setDuplicates(r.items.filter((c) => c.id !== detail.id && OPEN_CASE_STATES.includes(c.state))))
        .catch(() => setDuplicates([]));
    }
    if (spec.forwardTarget) {
      staffCasesApi
        .forwardTargets()
        .then((r) => setTargets(r.targets))
        .catch(() => setTargets([]));
    }
  }, [spec.action, spec.duplicateOf, spec.forwardTarget, detail.categoryId, detail.id]);

  const proposed = new Set(detail.proposedDepartments);
  const deptOrder = [...departments].sort((a, b) => Number(proposed.has(b.id)) - Number(proposed.has(a.id)));

  const addPhotos = async () => {
    try {
      const res = await Taro.chooseMedia({
        count: 9 - photos.length - uploads.length,
        mediaType: ['image'],
        sourceType: ['camera', 'album'],
        sizeType: ['compressed'],
      });
      queue.current!.add(res.tempFiles.map((f) => f.tempFilePath));
    } catch (e) {
      if (!isCancel(e)) toastError(e);
    }
  };

  const submit = () => {
    if (queue.current!.busy) {
      void Taro.showToast({ title: '照片还在上传', icon: 'none' });
      return;
    }
    onSubmit(buildActionBody(spec.action, detail.version, { ...form, photoIds: photos.map((p) => p.id) }));
  };

  return (
    <View data-testid={`action-form-${spec.action}`}>
      {spec.rejectReason && (
        <View className="field">
          <View className="field__label">不予受理的原因</View>
          <View className="choice">
            {(['invalid', 'out_of_scope'] as const).map((r) => (
              <Text
                key={r}
                className={`choice__item ${form.rejectReason === r ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ rejectReason: r }), { role: 'radio', checked: form.rejectReason === r })}
              >
                {REJECT_REASON_NAMES_ZH[r]}
              </Text>
            ))}
          </View>
        </View>
      )}
      {spec.department && (
        <View className="field">
          <View className="field__label">处置部门（★ 为系统建议）</View>
          <View className="choice">
            {deptOrder.map((d) => (
              <Text
                key={d.id}
                className={`choice__item ${form.departmentId === d.id ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ departmentId: d.id }), { role: 'radio', checked: form.departmentId === d.id })}
                data-testid="dept-option"
              >
                {proposed.has(d.id) ? '★ ' : ''}
                {d.name}
              </Text>
            ))}
          </View>
        </View>
      )}
      {spec.duplicateOf && (
        <View className="field">
          <View className="field__label">与哪个案件重复（同类别、未办结）</View>
          {!duplicates.length && <Text className="muted small">没有找到同类别的未办结案件</Text>}
          <View className="choice">
            {duplicates.map((c) => (
              <Text
                key={c.id}
                className={`choice__item ${form.duplicateOf === c.id ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ duplicateOf: c.id }), { role: 'radio', checked: form.duplicateOf === c.id })}
              >
                {c.caseNo} {c.address ?? ''}
              </Text>
            ))}
          </View>
        </View>
      )}
      {spec.forwardTarget && (
        <View className="field">
          <View className="field__label">转办平台</View>
          {!targets.length && <Text className="muted small">未配置可转办的平台</Text>}
          <View className="choice">
            {targets.map((t) => (
              <Text
                key={t.id}
                className={`choice__item ${form.forwardTarget === t.id ? 'choice__item--on' : ''}`}
                {...pressable(() => set({ forwardTarget: t.id }), { role: 'radio', checked: form.forwardTarget === t.id })}
              >
                {t.name}
              </Text>
            ))}
          </View>
        </View>
      )}
      {spec.postponeExtra && (
        <View className="field">
          <View className="field__label">需要延长</View>
          <View className="row">
            <Input
              nativeProps={{ 'aria-label': '延长时长' }}
              className="field__input grow"
              type="digit"
              placeholder="数量"
              value={form.extraValue ?? ''}
              onInput={(e) => set({ extraValue: e.detail.value })}
            />
            <View className="choice ml-m">
              {(['work_days', 'work_hours'] as const).map((u) => (
                <Text
                  key={u}
                  className={`choice__item ${form.extraUnit === u ? 'choice__item--on' : ''}`}
                  {...pressable(() => set({ extraUnit: u }), { role: 'radio', checked: form.extraUnit === u })}
                >
                  {u === 'work_days' ? '工作日' : '工作时'}
                </Text>
              ))}
            </View>
          </View>
        </View>
      )}
      {spec.afterPhotos && (
        <View className="field">
          <View className="field__label">处置后照片</View>
          <PhotoTiles
            photos={photos}
            uploads={uploads}
            max={9}
            onAdd={() => void addPhotos()}
            onRemove={(id) => setPhotos((l) => l.filter((p) => p.id !== id))}
            onRetry={(k) => queue.current!.retry(k)}
            onDiscard={(k) => queue.current!.remove(k)}
            addLabel="处置后照片"
          />
        </View>
      )}
      {spec.note && (
        <View className="field">
          <View className="field__label">
            {spec.note.label}
            {spec.note.required ? '' : '（选填）'}
          </View>
          <Textarea
            className="field__textarea"
            nativeProps={{ 'aria-label': spec.note.label }}
            placeholder={spec.note.placeholder}
            maxlength={500}
            value={form.note ?? ''}
            onInput={(e) => set({ note: e.detail.value })}
            data-testid="action-note"
          />
        </View>
      )}
      <View className="btn-row mt-m">
        <View className="btn" {...pressable(onCancel)}>
          取消
        </View>
        <View
          className={`btn ${spec.tone === 'danger' ? 'btn--danger' : 'btn--primary'} ${busy ? 'btn--disabled' : ''}`}
          aria-disabled={!!busy}
          {...pressable(() => !busy && submit())}
          data-testid="action-submit"
        >
          {busy ? '提交中…' : `确认${spec.label}`}
        </View>
      </View>
    </View>
  );
}
