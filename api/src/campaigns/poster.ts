import sharp from 'sharp';
import { campaignScene, PAGES, shanghaiDay } from '@ssp/shared';
import { ApiError } from '../core/errors';
import type { WeChatClient } from '../auth/wechat-client';
import type { CampaignService } from './service';

const WIDTH = 750;
const HEIGHT = 1200;
const CODE_SIZE = 360;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Breaks a Chinese title into lines of at most `perLine` characters (no word spaces to respect). */
function lines(text: string, perLine: number, max: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length && out.length < max; i += perLine) out.push(text.slice(i, i + perLine));
  if (out.length === max && text.length > perLine * max) out[max - 1] = `${out[max - 1]!.slice(0, perLine - 1)}…`;
  return out;
}

/**
 * A campaign poster for publicity staff to print or post: title, period, multiplier and
 * the mini-program code (getwxacodeunlimit) that opens the campaign page.
 */
export class CampaignPoster {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly wechat: WeChatClient,
  ) {}

  async render(campaignId: string): Promise<Buffer> {
    const campaign = await this.campaigns.adminDetail(campaignId);
    const code = await this.wechat
      .unlimitedQrCode({ scene: campaignScene(campaign.id), page: PAGES.campaign, width: CODE_SIZE })
      .catch((err: Error) => {
        throw new ApiError(503, 'WECHAT_UNAVAILABLE', '暂时无法生成小程序码，请稍后再试', [{ issue: err.message }]);
      });
    const title = lines(campaign.title, 12, 3);
    const period = `${shanghaiDay(new Date(campaign.startAt))} 至 ${shanghaiDay(new Date(campaign.endAt))}`;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">
  <rect width="${WIDTH}" height="${HEIGHT}" fill="#0958d9"/>
  <rect x="40" y="40" width="${WIDTH - 80}" height="${HEIGHT - 80}" rx="32" fill="#ffffff"/>
  <text x="${WIDTH / 2}" y="150" font-size="36" text-anchor="middle" fill="#0958d9" font-family="Noto Sans CJK SC, sans-serif">城市随手拍 · 参与活动</text>
  ${title.map((line, i) => `<text x="${WIDTH / 2}" y="${250 + i * 72}" font-size="56" font-weight="bold" text-anchor="middle" fill="#1d2129" font-family="Noto Sans CJK SC, sans-serif">${escapeXml(line)}</text>`).join('\n  ')}
  <text x="${WIDTH / 2}" y="${290 + title.length * 72}" font-size="30" text-anchor="middle" fill="#4e5969" font-family="Noto Sans CJK SC, sans-serif">${escapeXml(period)}</text>
  ${campaign.multiplier > 1 ? `<text x="${WIDTH / 2}" y="${350 + title.length * 72}" font-size="40" text-anchor="middle" fill="#cf1322" font-family="Noto Sans CJK SC, sans-serif">上报积分 ×${campaign.multiplier}</text>` : ''}
  <text x="${WIDTH / 2}" y="${HEIGHT - 110}" font-size="30" text-anchor="middle" fill="#4e5969" font-family="Noto Sans CJK SC, sans-serif">微信扫码，随手拍下城市问题</text>
</svg>`;
    const codeImage = await sharp(code).resize(CODE_SIZE, CODE_SIZE, { fit: 'contain', background: '#ffffff' }).png().toBuffer();
    return sharp(Buffer.from(svg))
      .composite([{ input: codeImage, left: (WIDTH - CODE_SIZE) / 2, top: HEIGHT - 180 - CODE_SIZE }])
      .png()
      .toBuffer();
  }
}
