import Taro from '@tarojs/taro';
import { ApiRequestError, parseBody, PHOTO_UPLOAD_FIELD, requestErrorMessage, uploadResultSchema, type ApiClient } from '@ssp/shared';
import type { DraftPhoto } from '../logic/draft';
import type { UploadHandle } from '../logic/upload-queue';

function parseJson(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/**
 * One photo to POST /media with Taro.uploadFile (multipart field `photos`), through the
 * client's token handling; progress comes from the UploadTask. Abort cancels it.
 */
export function uploadPhoto(client: ApiClient, filePath: string, onProgress: (percent: number) => void): UploadHandle<DraftPhoto> {
  let task: Taro.UploadTask | undefined;
  let aborted = false;
  const promise = client
    .exchange(
      (auth) =>
        new Promise((resolve, reject) => {
          if (aborted) return reject(new ApiRequestError(0, 'ABORTED', requestErrorMessage('ABORTED')));
          task = Taro.uploadFile({
            url: client.urlOf('uploadPhotos'),
            filePath,
            name: PHOTO_UPLOAD_FIELD,
            header: { Accept: 'application/json', ...auth },
            timeout: 60_000,
            success: (r) => resolve({ statusCode: r.statusCode, data: parseJson(r.data), header: {} }),
            fail: (e) => reject(new Error(e.errMsg)),
          });
          task?.onProgressUpdate?.((p) => onProgress(p.progress));
        }),
    )
    .then((res) => {
      const { id, url, thumbUrl, exif } = parseBody(uploadResultSchema, res).photos[0]!;
      return { id, url, thumbUrl, exif };
    });
  return {
    promise,
    abort() {
      aborted = true;
      task?.abort();
    },
  };
}
