import { useState } from 'react';
import { Alert, Form, Input, List, Modal, Select, Typography } from 'antd';
import type { StaffCaseSummary } from '@ssp/shared';
import type { Catalogue } from '../catalogue';
import { api, errorText } from '../session';

interface Props {
  cases: StaffCaseSummary[];
  catalogue: Catalogue | null;
  onClose: () => void;
  /** Some or all were dispatched: the queue reloads. */
  onDone: () => void;
}

interface Outcome {
  caseNo: string;
  error: string | null;
}

/**
 * Dispatches the selected filed cases to one department, one action each with the version
 * the list showed (a case someone changed meanwhile is refused alone and listed).
 */
export function BulkDispatchModal({ cases, catalogue, onClose, onDone }: Props) {
  const [departmentId, setDepartmentId] = useState<string | undefined>();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    if (!departmentId) {
      setError('请选择处置部门');
      return;
    }
    setBusy(true);
    setError(null);
    const results: Outcome[] = [];
    for (const c of cases) {
      try {
        await api.call('actOnCase', {
          params: { id: c.id },
          body: { action: 'dispatch', version: c.version, departmentId, ...(note.trim() ? { internalNote: note.trim() } : {}) },
        });
        results.push({ caseNo: c.caseNo, error: null });
      } catch (e) {
        results.push({ caseNo: c.caseNo, error: errorText(e) });
      }
    }
    setOutcomes(results);
    setBusy(false);
    onDone();
  };

  const failed = outcomes?.filter((o) => o.error) ?? [];
  return (
    <Modal
      open
      title={`批量派遣 ${cases.length} 件案件`}
      okText={outcomes ? '完成' : '派遣'}
      cancelText="取消"
      onOk={() => (outcomes ? onClose() : void run())}
      okButtonProps={{ loading: busy, 'data-testid': 'bulk-submit' } as never}
      onCancel={onClose}
      cancelButtonProps={{ style: outcomes ? { display: 'none' } : undefined }}
      destroyOnHidden
    >
      {outcomes ? (
        <div data-testid="bulk-result">
          <Alert
            type={failed.length ? 'warning' : 'success'}
            showIcon
            message={`已派遣 ${outcomes.length - failed.length} 件${failed.length ? `，${failed.length} 件未成功` : ''}`}
          />
          {failed.length > 0 && (
            <List
              size="small"
              dataSource={failed}
              renderItem={(o) => (
                <List.Item>
                  <Typography.Text strong>{o.caseNo}</Typography.Text>：{o.error}
                </List.Item>
              )}
            />
          )}
        </div>
      ) : (
        <>
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
          <Typography.Paragraph type="secondary">{cases.map((c) => c.caseNo).join('、')}</Typography.Paragraph>
          <Form layout="vertical">
            <Form.Item label="处置部门" required>
              <Select
                showSearch
                optionFilterProp="label"
                value={departmentId}
                onChange={setDepartmentId}
                options={(catalogue?.departments ?? []).map((d) => ({ value: d.id, label: d.name }))}
                data-testid="bulk-department"
              />
            </Form.Item>
            <Form.Item label="内部备注">
              <Input.TextArea rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} placeholder="选填，仅工作人员可见" />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
