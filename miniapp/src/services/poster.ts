import Taro from '@tarojs/taro';
import { baseUrl } from './client';
import { staffTokens } from './session';

/**
 * Downloads a campaign's poster (PNG with its mini-program code): saved to the photo
 * album on WeChat, a file download in the browser.
 */
export async function downloadCampaignPoster(campaignId: string): Promise<void> {
  const url = `${baseUrl}/admin/campaigns/${campaignId}/poster.png`;
  const authorization = `Bearer ${staffTokens.accessToken() ?? ''}`;
  if (process.env.TARO_ENV === 'weapp') {
    const file = await Taro.downloadFile({ url, header: { authorization } });
    if (file.statusCode !== 200) throw new Error('海报生成失败，请稍后再试');
    await Taro.saveImageToPhotosAlbum({ filePath: file.tempFilePath });
    return;
  }
  const res = await fetch(url, { headers: { authorization } });
  if (!res.ok) throw new Error('海报生成失败，请稍后再试');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await res.blob());
  link.download = `活动海报-${campaignId}.png`;
  document.body.appendChild(link);
  link.click();
  link.remove();
}
