import { useCallback, useEffect, useState } from 'react';
import { App, Card, Tabs, Typography } from 'antd';
import { useBlocker, useNavigate, useParams } from 'react-router-dom';
import { AreasEditor } from './AreasEditor';
import { CalendarEditor } from './CalendarEditor';
import { CatalogueEditor } from './CatalogueEditor';
import { DepartmentsEditor } from './DepartmentsEditor';
import { UnsavedPartsContext } from './common';

const TABS = [
  { key: 'catalogue', label: '类别目录', children: <CatalogueEditor /> },
  { key: 'areas', label: '区域网格', children: <AreasEditor /> },
  { key: 'departments', label: '处置部门', children: <DepartmentsEditor /> },
  { key: 'calendar', label: '工作日历', children: <CalendarEditor /> },
];

/**
 * 城市数据 (administrators): the city's categories with time limits, areas, departments and
 * working calendar. Each tab edits one part and replaces it whole over the admin API, which
 * checks it against the rest; problems show on their row, node or field.
 */
export function CityDataPage() {
  const { tab } = useParams();
  const navigate = useNavigate();
  const active = TABS.some((t) => t.key === tab) ? tab! : 'catalogue';
  const { modal } = App.useApp();
  // Tabs stay mounted, so switching tabs keeps edits; leaving the screen would lose them.
  const [unsaved, setUnsaved] = useState<string[]>([]);
  const report = useCallback(
    (part: string, dirty: boolean) =>
      setUnsaved((parts) => (dirty ? (parts.includes(part) ? parts : [...parts, part]) : parts.filter((p) => p !== part))),
    [],
  );
  const blocker = useBlocker(({ nextLocation }) => unsaved.length > 0 && !nextLocation.pathname.startsWith('/city-data'));
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    modal.confirm({
      title: '有未保存的修改',
      content: `${unsaved.join('、')}的修改还没有保存，离开后将丢失。确定离开吗？`,
      okText: '放弃修改并离开',
      cancelText: '留下继续编辑',
      onOk: () => blocker.proceed(),
      onCancel: () => blocker.reset(),
    });
  }, [blocker.state]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <UnsavedPartsContext.Provider value={report}>
      <Card>
        <Typography.Title level={4} style={{ margin: 0 }}>
          城市数据
        </Typography.Title>
        <Typography.Text type="secondary">修改后点「保存」整体替换该项数据；保存前按统一规则检查，服务器还会核对各项数据之间的引用。</Typography.Text>
        <Tabs
          style={{ marginTop: 8 }}
          activeKey={active}
          onChange={(key) => navigate(`/city-data/${key}`)}
          items={TABS.map((t) => ({ ...t, children: <div data-testid={`city-data-${t.key}`}>{t.children}</div> }))}
        />
      </Card>
    </UnsavedPartsContext.Provider>
  );
}
