import type { LedgerReason } from '@ssp/shared';

// The deployment's points.json and rewards.json are read with the city profile (api/src/city-profile.ts).

// ---------------------------------------------------------------- the Chinese line a citizen reads

export interface ReasonOutcome {
  amount: number;
  capped: number;
  shortfall: number;
  cappedBy?: 'day' | 'month' | null;
}

function baseText(reason: LedgerReason, p: Record<string, string | number | null>): string {
  const category = p.categoryName ? `（${p.categoryName}）` : '';
  switch (reason) {
    case 'report_filed': {
      const bonus = p.multiplier && p.multiplier !== 1 ? `，活动积分 ×${p.multiplier}` : '';
      return p.categoryName ? `上报被立案（${p.categoryName}${bonus}）` : `上报被立案${bonus ? `（${bonus.slice(1)}）` : ''}`;
    }
    case 'support_filed':
      return `附议的问题被立案${category}`;
    case 'case_closed':
      return `上报的问题已解决结案${category}`;
    case 'case_rated':
      return `评价处理结果${category}`;
    case 'case_voided':
      return `上报经核实不属实，案件作废，扣回该案所得积分${category}`;
    case 'reward_claim':
      return `兑换「${p.rewardName}」`;
    case 'claim_refund':
      return `「${p.rewardName}」未能发放，积分退回${p.note ? `：${p.note}` : ''}`;
    case 'admin_adjustment':
      return `积分调整：${p.note}`;
  }
}

/** E.g. "上报被立案（雨水井盖）+15", "…+5（已达每日上限，另有 10 分未计入）". */
export function reasonText(reason: LedgerReason, params: Record<string, string | number | null>, outcome: ReasonOutcome): string {
  const sign = outcome.amount >= 0 ? '+' : '-';
  let text = `${baseText(reason, params)}${sign}${Math.abs(outcome.amount)}`;
  if (outcome.capped > 0) {
    text += `（已达${outcome.cappedBy === 'month' ? '每月' : '每日'}积分上限，另有 ${outcome.capped} 分未计入）`;
  }
  if (outcome.shortfall > 0) text += `（积分余额不足，另有 ${outcome.shortfall} 分未能扣回）`;
  return text;
}
