import { useMemo, useState } from 'react';
import { Input, ScrollView, Text, View } from '@tarojs/components';
import { groupByMajor, orderForPicker, searchCategories, type PickerCategory } from '../logic/categories';
import { pressable } from './pressable';
import './CategoryPicker.css';

interface Props<C extends PickerCategory> {
  categories: readonly C[];
  selectedId: string | null;
  recentIds?: string[];
  campaignIds?: string[];
  onSelect: (c: C) => void;
}

/**
 * Search box plus the categories: with no query, the common ones as big buttons
 * (campaign targets and recent picks first), then everything by major category.
 */
export function CategoryPicker<C extends PickerCategory>({ categories, selectedId, recentIds, campaignIds, onSelect }: Props<C>) {
  const [query, setQuery] = useState('');
  const ordered = useMemo(() => orderForPicker(categories, { recentIds, campaignIds }), [categories, recentIds, campaignIds]);
  const results = useMemo(() => (query.trim() ? searchCategories(ordered, query) : []), [ordered, query]);
  const groups = useMemo(() => groupByMajor(categories), [categories]);
  const campaignSet = new Set(campaignIds ?? []);

  const item = (c: C) => (
    <View
      key={c.id}
      className={`cat-item ${c.id === selectedId ? 'cat-item--on' : ''}`}
      {...pressable(() => onSelect(c), { role: 'radio', checked: c.id === selectedId })}
      data-testid="category-option"
    >
      <Text className="cat-item__name">{c.name}</Text>
      <Text className="cat-item__major">
        {campaignSet.has(c.id) ? '活动类别 · ' : ''}
        {c.majorName}
      </Text>
    </View>
  );

  return (
    <View className="cat-picker">
      <Input
        className="field__input cat-picker__search"
        nativeProps={{ 'aria-label': '搜索问题类型' }}
        placeholder="搜索问题类型，如：井盖、垃圾、乱停车"
        value={query}
        onInput={(e) => setQuery(e.detail.value)}
        confirmType="search"
        data-testid="category-search"
      />
      <ScrollView scrollY className="cat-picker__list">
        {query.trim() ? (
          results.length ? (
            results.map(item)
          ) : (
            <View className="empty">
              <Text className="empty__title">没有找到“{query}”</Text>
              <Text className="empty__hint">换个说法试试，或在下方分类中查找</Text>
            </View>
          )
        ) : (
          <View>
            <View className="cat-picker__section">常见问题</View>
            <View className="cat-grid">
              {ordered.slice(0, 9).map((c) => (
                <View
                  key={c.id}
                  className={`cat-chip ${c.id === selectedId ? 'cat-chip--on' : ''} ${campaignSet.has(c.id) ? 'cat-chip--campaign' : ''}`}
                  {...pressable(() => onSelect(c), { role: 'radio', checked: c.id === selectedId })}
                  data-testid="category-common"
                >
                  {c.name}
                </View>
              ))}
            </View>
            {groups.map((g) => (
              <View key={g.key}>
                <View className="cat-picker__section">{g.title}</View>
                {g.items.map(item)}
              </View>
            ))}
          </View>
        )}
      </ScrollView>
    </View>
  );
}
