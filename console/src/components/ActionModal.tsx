import { useEffect, useState } from 'react';
import { Alert, Form, Input, InputNumber, Modal, Radio, Select, Space } from 'antd';
import { ApiRequestError, REJECT_REASON_NAMES_ZH, buildActionBody, type ActionForm, type ActionSpec, type StaffCaseDetail } from '@ssp/shared';
import type { Catalogue } from '../catalogue';
import { mayCall } from '../access';
import { api, errorText, getSession } from '../session';
import { PhotoUpload } from './PhotoUpload';

interface Props {
  spec: ActionSpec | null;
  detail: StaffCaseDetail;
  catalogue: Catalogue | null;
  onClose: () => void;
  /** The case as the API answered after the action. */
  onDone: (detail: StaffCaseDetail) => void;
  /** The action was refused because the case changed meanwhile (409): say why and show the case as it is now. */
  onConflict: (message: string) => void;
}

/** The form of one case action (shared ACTION_SPECS), sent with the case version the user saw. */
export function ActionModal({ spec, detail, catalogue, onClose, onDone, onConflict }: Props) {
  const [form] = Form.useForm<ActionForm>();
  const [photoIds, setPhotoIds] = useState<string[]>([]);
  const [targets, setTargets] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!spec) return;
    setError(null);
    setPhotoIds([]);
    form.resetFields();
    if (spec.department) form.setFieldsValue({ departmentId: detail.departmentId ?? detail.proposedDepartments[0] });
    if (spec.postponeExtra) form.setFieldsValue({ extraUnit: 'work_days' });
    const role = getSession()?.staff.role;
    if (spec.forwardTarget && role && mayCall(role, 'listForwardingTargets')) {
      api
        .call('listForwardingTargets')
        .then((r) => setTargets(r.targets))
        .catch(() => setTargets([]));
    }
  }, [spec, detail, form]);

  if (!spec) return null;

  const submit = async () => {
    const values = form.getFieldsValue();
    let duplicateOf: string | undefined;
    if (spec.duplicateOf && values.duplicateOf) {
      // The user types the original's case number; the action needs its id.
      const found = await api.call('caseQueue', { query: { q: values.duplicateOf.trim(), limit: 2 } }).catch(() => null);
      const match = found?.items.find((c) => c.caseNo === values.duplicateOf?.trim());
      if (!match) {
        setError('没有找到该编号的案件');
        return;
      }
      duplicateOf = match.id;
    }
    const built = buildActionBody(spec.action, detail.version, {
      ...values,
      extraValue: values.extraValue === undefined || values.extraValue === null ? undefined : String(values.extraValue),
      duplicateOf,
      photoIds,
    });
    if (!built.ok) {
      setError(built.message);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onDone(await api.call('actOnCase', { params: { id: detail.id }, body: built.body }));
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 409) onConflict(errorText(e));
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={`${spec.label} · ${detail.caseNo}`}
      okText="确定"
      cancelText="取消"
      onOk={() => void submit()}
      okButtonProps={{ loading: busy, danger: spec.tone === 'danger', 'data-testid': 'action-submit' } as never}
      onCancel={onClose}
      destroyOnHidden
      width={spec.afterPhotos ? 640 : 520}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="action-error" />}
      <Form form={form} layout="vertical">
        {spec.department && (
          <Form.Item name="departmentId" label="处置部门">
            <Select
              showSearch
              optionFilterProp="label"
              data-testid="action-department"
              options={(catalogue?.departments ?? []).map((d) => ({
                value: d.id,
                label: detail.proposedDepartments.includes(d.id) ? `${d.name}（建议）` : d.name,
              }))}
            />
          </Form.Item>
        )}
        {spec.rejectReason && (
          <Form.Item name="rejectReason" label="不予受理的原因" rules={[{ required: true }]}>
            <Radio.Group>
              {(['invalid', 'out_of_scope'] as const).map((r) => (
                <Radio key={r} value={r}>
                  {REJECT_REASON_NAMES_ZH[r]}
                </Radio>
              ))}
            </Radio.Group>
          </Form.Item>
        )}
        {spec.duplicateOf && (
          <Form.Item name="duplicateOf" label="与之重复的案件编号" rules={[{ required: true }]}>
            <Input placeholder="如 20261123-00001" />
          </Form.Item>
        )}
        {spec.forwardTarget && (
          <Form.Item name="forwardTarget" label="转办平台" rules={[{ required: true }]}>
            <Select options={targets.map((t) => ({ value: t.id, label: t.name }))} notFoundContent="没有可转办的平台" />
          </Form.Item>
        )}
        {spec.postponeExtra && (
          <Form.Item label="需要延长的时间" required>
            <Space.Compact>
              <Form.Item name="extraValue" noStyle>
                <InputNumber min={1} max={365} />
              </Form.Item>
              <Form.Item name="extraUnit" noStyle>
                <Select
                  style={{ width: 110 }}
                  options={[
                    { value: 'work_days', label: '工作日' },
                    { value: 'work_hours', label: '工作小时' },
                  ]}
                />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
        )}
        {spec.afterPhotos && (
          <Form.Item label="处置后照片" required>
            <PhotoUpload onChange={setPhotoIds} />
          </Form.Item>
        )}
        {spec.note && (
          <Form.Item name="note" label={spec.note.label} required={spec.note.required}>
            <Input.TextArea rows={3} maxLength={500} showCount placeholder={spec.note.placeholder} data-testid="action-note" />
          </Form.Item>
        )}
        {!spec.note && !spec.department && <p>确定要{spec.label}吗？</p>}
      </Form>
    </Modal>
  );
}
