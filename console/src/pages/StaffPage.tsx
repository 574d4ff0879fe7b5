import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import {
  STAFF_ROLES,
  STAFF_ROLE_NAMES_ZH,
  createStaffSchema,
  roleDepartmentIssue,
  updateStaffSchema,
  type StaffAccount,
  type StaffRole,
  type UpdateStaff,
} from '@ssp/shared';
import { useCatalogue } from '../catalogue';
import { formatTime } from '../format';
import { apiProblems, clearErrors, schemaProblems, showFieldErrors } from '../forms';
import { api, errorText } from '../session';

interface FormValues {
  username?: string;
  password?: string;
  displayName?: string;
  role?: StaffRole;
  departmentId?: string;
  active?: boolean;
}
const FIELDS = ['username', 'password', 'displayName', 'role', 'departmentId', 'active'] as const;

/** 工作人员账号: who works in the console and the workbench, in which role (administrators). */
export function StaffPage() {
  const { message } = App.useApp();
  const catalogue = useCatalogue();
  const [items, setItems] = useState<StaffAccount[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<StaffAccount | 'new' | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<FormValues>();
  const role = Form.useWatch('role', form);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setItems((await api.call('listStaff')).items);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const open = (account: StaffAccount | 'new') => {
    form.resetFields();
    if (account !== 'new')
      form.setFieldsValue({
        displayName: account.displayName,
        role: account.role,
        departmentId: account.departmentId ?? undefined,
        active: account.active,
      });
    else form.setFieldsValue({ role: 'operator', active: true });
    setEditing(account);
  };

  const save = async () => {
    const v = form.getFieldsValue();
    let call: () => Promise<StaffAccount>;
    if (editing === 'new') {
      const input = {
        username: v.username ?? '',
        password: v.password ?? '',
        displayName: v.displayName ?? '',
        role: v.role,
        ...(v.departmentId ? { departmentId: v.departmentId } : {}),
      };
      const parsed = createStaffSchema.safeParse(input);
      if (!parsed.success) {
        showFieldErrors(form, schemaProblems(parsed.error), FIELDS);
        return;
      }
      call = () => api.call('createStaff', { body: parsed.data });
    } else if (editing) {
      const patch: UpdateStaff = {};
      if (v.displayName !== editing.displayName) patch.displayName = v.displayName;
      if (v.role !== editing.role) patch.role = v.role;
      const departmentId = v.role === 'department' ? (v.departmentId ?? null) : null;
      if (departmentId !== editing.departmentId) patch.departmentId = departmentId;
      if (v.active !== editing.active) patch.active = v.active;
      if (v.password) patch.password = v.password;
      const parsed = updateStaffSchema.safeParse(patch);
      const combination = roleDepartmentIssue(v.role ?? editing.role, departmentId);
      if (!parsed.success || combination) {
        showFieldErrors(
          form,
          [...(parsed.success ? [] : schemaProblems(parsed.error)), ...(combination ? [{ field: 'departmentId', message: combination }] : [])],
          FIELDS,
        );
        return;
      }
      const id = editing.id;
      call = () => api.call('updateStaff', { params: { id }, body: parsed.data });
    } else return;
    setBusy(true);
    try {
      await call();
      void message.success(editing === 'new' ? '账号已创建' : '账号已保存');
      setEditing(null);
      void load();
    } catch (e) {
      if (!showFieldErrors(form, apiProblems(e), FIELDS)) void message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          工作人员账号
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="staff-new">
          新建账号
        </Button>
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        处置部门账号必须指定所属部门；停用账号或重设密码会使其在所有设备上退出登录。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Table<StaffAccount>
        rowKey="id"
        loading={loading}
        dataSource={items}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(a) => ({ 'data-testid': `staff-row-${a.username}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '用户名', dataIndex: 'username', key: 'username' },
          { title: '姓名', dataIndex: 'displayName', key: 'displayName' },
          { title: '角色', key: 'role', render: (_: unknown, a: StaffAccount) => <Tag>{STAFF_ROLE_NAMES_ZH[a.role]}</Tag> },
          {
            title: '所属部门',
            key: 'dept',
            render: (_: unknown, a: StaffAccount) => (a.departmentId ? (catalogue?.departmentName(a.departmentId) ?? a.departmentId) : '—'),
          },
          {
            title: '状态',
            key: 'active',
            render: (_: unknown, a: StaffAccount) => (
              <Space size={4}>
                {a.active ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>}
                {a.lockedUntil && new Date(a.lockedUntil).getTime() > Date.now() && <Tag color="red">已锁定至 {formatTime(a.lockedUntil)}</Tag>}
              </Space>
            ),
          },
          { title: '最近登录', key: 'lastLoginAt', render: (_: unknown, a: StaffAccount) => formatTime(a.lastLoginAt) },
          {
            title: '操作',
            key: 'edit',
            render: (_: unknown, a: StaffAccount) => (
              <Button size="small" onClick={() => open(a)}>
                编辑
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing === 'new' ? '新建工作人员账号' : `编辑账号 ${editing ? editing.username : ''}`}
        okText="保存"
        cancelText="取消"
        onOk={() => void save()}
        okButtonProps={{ loading: busy, 'data-testid': 'staff-save' } as never}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          // A field's problem goes as soon as it is edited.
          onValuesChange={(changed: object) => clearErrors(form, changed)}
          data-testid="staff-form"
        >
          {editing === 'new' && (
            <Form.Item name="username" label="用户名" required extra="3–32 位小写字母、数字、_ . 或 -">
              <Input autoComplete="off" data-testid="staff-username" />
            </Form.Item>
          )}
          <Form.Item name="displayName" label="姓名" required>
            <Input data-testid="staff-displayname" />
          </Form.Item>
          <Form.Item name="role" label="角色" required>
            <Select options={STAFF_ROLES.map((r) => ({ value: r, label: STAFF_ROLE_NAMES_ZH[r] }))} data-testid="staff-role" />
          </Form.Item>
          {role === 'department' && (
            <Form.Item name="departmentId" label="所属部门" required>
              <Select
                showSearch
                optionFilterProp="label"
                options={(catalogue?.departments ?? []).map((d) => ({ value: d.id, label: d.name }))}
                data-testid="staff-department"
              />
            </Form.Item>
          )}
          <Form.Item name="password" label={editing === 'new' ? '初始密码' : '重设密码（不改请留空）'} required={editing === 'new'}>
            <Input.Password autoComplete="new-password" data-testid="staff-password" />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="active" label="启用" valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
