/**
 * @jest-environment jsdom
 */
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { NearbyCase } from '@ssp/shared';
import { CategoryPicker } from '../src/components/CategoryPicker';
import { NearbyCases } from '../src/components/NearbyCases';
import { PhotoTiles } from '../src/components/PhotoTiles';
import { Stars } from '../src/components/Stars';
import { StatusChip } from '../src/components/StatusChip';
import type { UploadItem } from '../src/logic/upload-queue';

describe('StatusChip', () => {
  it('shows the status in its colour family', () => {
    render(<StatusChip status="待核查" />);
    const chip = screen.getByTestId('status-chip');
    expect(chip.textContent).toBe('待核查');
    expect(chip.className).toContain('chip--review');
  });
});

describe('PhotoTiles', () => {
  const upload = (key: string, status: UploadItem<unknown>['status'], extra: Partial<UploadItem<unknown>> = {}): UploadItem<unknown> => ({
    key,
    filePath: `blob:${key}`,
    status,
    progress: 0,
    retryable: true,
    attempts: 1,
    ...extra,
  });

  it('shows uploaded photos, per-photo progress and a failed one with retry and remove', () => {
    const onRetry = jest.fn();
    const onDiscard = jest.fn();
    const onRemove = jest.fn();
    render(
      <PhotoTiles
        photos={[{ id: 'p1', thumbUrl: '/media/p1/thumb' }]}
        uploads={[upload('u1', 'uploading', { progress: 45 }), upload('u2', 'failed', { error: '网络不给力' })]}
        max={9}
        onAdd={jest.fn()}
        onRemove={onRemove}
        onRetry={onRetry}
        onDiscard={onDiscard}
      />,
    );
    expect(screen.getByTestId('photo-uploading').textContent).toContain('45%');
    const failed = screen.getByTestId('photo-failed');
    expect(failed.textContent).toContain('上传失败');
    fireEvent.click(within(failed).getByText('重试'));
    expect(onRetry).toHaveBeenCalledWith('u2');
    fireEvent.click(within(failed).getByText('删除'));
    expect(onDiscard).toHaveBeenCalledWith('u2');
    fireEvent.click(within(screen.getByTestId('photo-done')).getByText('×'));
    expect(onRemove).toHaveBeenCalledWith('p1');
    expect(screen.getByTestId('photo-add').textContent).toContain('3/9');
  });

  it('says why a refused file failed and offers no retry; hides the add tile when full', () => {
    render(
      <PhotoTiles
        photos={Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, thumbUrl: '' }))}
        uploads={[upload('u1', 'failed', { retryable: false, error: '不支持的图片格式' })]}
        max={9}
        onAdd={jest.fn()}
        onRemove={jest.fn()}
        onRetry={jest.fn()}
        onDiscard={jest.fn()}
      />,
    );
    const failed = screen.getByTestId('photo-failed');
    expect(failed.textContent).toContain('不支持的图片格式');
    expect(within(failed).queryByText('重试')).toBeNull();
    expect(screen.queryByTestId('photo-add')).toBeNull();
  });
});

describe('CategoryPicker', () => {
  const categories = [
    { id: 'E0102', code: '0102', name: '暴露垃圾', majorName: '市容环境', family: 'event' as const, keywords: ['垃圾'] },
    { id: 'C0101', code: '0101', name: '上水井盖', majorName: '公用设施', family: 'component' as const, keywords: ['井盖'] },
    { id: 'E0201', code: '0201', name: '非法小广告', majorName: '宣传广告', family: 'event' as const, keywords: ['牛皮癣'] },
  ];

  it('lists campaign categories first among the common ones, and searches as you type', () => {
    const onSelect = jest.fn();
    render(<CategoryPicker categories={categories} selectedId={null} campaignIds={['E0201']} onSelect={onSelect} />);
    expect(screen.getAllByTestId('category-common').map((e) => e.textContent)).toEqual(['非法小广告', '暴露垃圾', '上水井盖']);

    fireEvent.change(screen.getByTestId('category-search'), { target: { value: '牛皮癣' } });
    const options = screen.getAllByTestId('category-option');
    expect(options).toHaveLength(1);
    expect(options[0]!.textContent).toContain('活动类别');
    fireEvent.click(options[0]!);
    expect(onSelect).toHaveBeenCalledWith(categories[2]);

    fireEvent.change(screen.getByTestId('category-search'), { target: { value: '没有这种' } });
    expect(screen.getByText('没有找到“没有这种”')).toBeTruthy();
  });
});

describe('NearbyCases', () => {
  const item = (id: string, extra: Partial<NearbyCase> = {}): NearbyCase => ({
    id,
    caseNo: `No.${id}`,
    categoryName: '上水井盖',
    status: '已派遣',
    distanceM: 40,
    createdAt: new Date().toISOString(),
    supporterCount: 2,
    thumbUrl: null,
    supportedByMe: false,
    mine: false,
    ...extra,
  });

  it('offers 我也遇到 on others’ cases only, and shows backed ones as such', () => {
    const onSupport = jest.fn();
    render(<NearbyCases items={[item('a'), item('b', { supportedByMe: true }), item('c', { mine: true })]} busyId={null} onSupport={onSupport} />);
    expect(screen.getByText('附近已有 3 条同类问题')).toBeTruthy();
    const rows = screen.getAllByTestId('nearby-case');
    expect(rows[0]!.textContent).toContain('约 40 米');
    expect(rows[0]!.textContent).toContain('2 人遇到');
    fireEvent.click(within(rows[0]!).getByTestId('support'));
    expect(onSupport).toHaveBeenCalledWith(expect.objectContaining({ id: 'a' }));
    expect(rows[1]!.textContent).toContain('已附议');
    expect(rows[2]!.textContent).toContain('我的上报');
    expect(screen.getAllByTestId('support')).toHaveLength(1);
  });

  it('renders nothing when there is no nearby case', () => {
    const { container } = render(<NearbyCases items={[]} busyId={null} onSupport={jest.fn()} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('Stars', () => {
  it('picks a score and names it', () => {
    const onChange = jest.fn();
    const { rerender } = render(<Stars value={0} onChange={onChange} />);
    fireEvent.click(screen.getByTestId('star-4'));
    expect(onChange).toHaveBeenCalledWith(4);
    rerender(<Stars value={4} onChange={onChange} />);
    expect(screen.getByTestId('stars').textContent).toContain('满意');
  });
});
