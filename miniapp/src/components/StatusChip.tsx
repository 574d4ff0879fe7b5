import { Text } from '@tarojs/components';
import type { CitizenStatus } from '@ssp/shared';
import { citizenChip } from '../logic/status';

export function StatusChip({ status }: { status: CitizenStatus }) {
  const chip = citizenChip(status);
  return (
    <Text className={`chip chip--${chip.tone}`} data-testid="status-chip">
      {chip.label}
    </Text>
  );
}
