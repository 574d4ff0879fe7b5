import { groupByMajor, orderForPicker, rememberRecent, searchCategories, type PickerCategory } from '../src/logic/categories';

const cat = (id: string, name: string, majorName: string, keywords: string[] = []): PickerCategory => ({
  id,
  code: id.slice(1),
  name,
  majorName,
  family: id.startsWith('C') ? 'component' : 'event',
  keywords,
});

// In the API's order: most popular first.
const LIST = [
  cat('E0102', '暴露垃圾', '市容环境', ['垃圾']),
  cat('E0505', '机动车乱停放', '街面秩序', ['停车', '乱停车']),
  cat('C0103', '雨水井盖', '公用设施', ['井盖']),
  cat('C0101', '上水井盖', '公用设施', ['井盖']),
  cat('E0201', '非法小广告', '宣传广告', ['牛皮癣', '小广告']),
  cat('C0114', '不明井盖', '公用设施', ['井盖']),
  cat('C0118', '路灯', '公用设施'),
];

describe('category search', () => {
  it('finds by name, keyword, major or code; every word must match', () => {
    expect(searchCategories(LIST, '井盖').map((c) => c.id)).toEqual(['C0103', 'C0101', 'C0114']);
    expect(searchCategories(LIST, '牛皮癣').map((c) => c.id)).toEqual(['E0201']);
    expect(searchCategories(LIST, '公用 雨水').map((c) => c.id)).toEqual(['C0103']);
    expect(searchCategories(LIST, '0118').map((c) => c.id)).toEqual(['C0118']);
    expect(searchCategories(LIST, '不存在的东西')).toEqual([]);
  });

  it('ranks an exact or leading name match above keyword matches, then keeps popularity order', () => {
    expect(searchCategories(LIST, '路灯')[0]!.id).toBe('C0118');
    expect(searchCategories(LIST, '上水').map((c) => c.id)).toEqual(['C0101']);
    expect(searchCategories(LIST, '停车').map((c) => c.id)).toEqual(['E0505']);
    expect(searchCategories(LIST, '  ')).toHaveLength(LIST.length);
  });

  it('puts campaign categories first, then recent picks, then the popular rest', () => {
    const ordered = orderForPicker(LIST, { campaignIds: ['E0201'], recentIds: ['C0118', 'E0201', 'C0101'] });
    expect(ordered.map((c) => c.id)).toEqual(['E0201', 'C0118', 'C0101', 'E0102', 'E0505', 'C0103', 'C0114']);
    expect(orderForPicker(LIST).map((c) => c.id)).toEqual(LIST.map((c) => c.id));
  });

  it('remembers the six most recent picks, newest first, without duplicates', () => {
    let recent: string[] = [];
    for (const id of ['a', 'b', 'c', 'a', 'd', 'e', 'f', 'g']) recent = rememberRecent(recent, id);
    expect(recent).toEqual(['g', 'f', 'e', 'd', 'a', 'c']);
  });

  it('groups by family and major category for browsing', () => {
    const groups = groupByMajor(LIST);
    expect(groups.map((g) => g.title)).toEqual(['事件 · 市容环境', '事件 · 街面秩序', '部件 · 公用设施', '事件 · 宣传广告']);
    expect(groups[2]!.items).toHaveLength(4);
  });
});
