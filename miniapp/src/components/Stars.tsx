import { Text, View } from '@tarojs/components';
import { pressable } from './pressable';

const LABELS = ['', '很不满意', '不满意', '一般', '满意', '非常满意'];

/** 1–5 stars; read-only when onChange is absent. */
export function Stars({ value, onChange }: { value: number; onChange?: (v: number) => void }) {
  return (
    <View
      className="row"
      data-testid="stars"
      role={onChange ? 'radiogroup' : 'img'}
      aria-label={onChange ? '评分' : `评分 ${value} 星，${LABELS[value] ?? ''}`}
    >
      {[1, 2, 3, 4, 5].map((n) => (
        <View
          key={n}
          className={`star ${n <= value ? 'star--on' : ''}`}
          data-testid={`star-${n}`}
          {...(onChange
            ? pressable(() => onChange(n), { role: 'radio', checked: n === value, label: `${n} 星，${LABELS[n]}` })
            : { 'aria-hidden': true })}
        >
          ★
        </View>
      ))}
      {value > 0 && <Text className="muted star__label">{LABELS[value]}</Text>}
    </View>
  );
}
