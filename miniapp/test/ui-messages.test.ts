import { ApiRequestError, CLIENT_ERROR_MESSAGES_ZH, ERROR_CODES, requestErrorMessage } from '@ssp/shared';
import { errorMessage } from '../src/services/ui';

describe('error messages', () => {
  it('shows the API message, made specific by a field problem written for people', () => {
    expect(
      errorMessage(new ApiRequestError(400, 'VALIDATION_FAILED', '提交的内容有误，请检查后重试', [{ field: 'endAt', issue: '结束时间已过' }])),
    ).toBe('提交的内容有误，请检查后重试：结束时间已过');
    expect(
      errorMessage(new ApiRequestError(400, 'VALIDATION_FAILED', '提交的内容有误，请检查后重试', [{ field: 'cursor', issue: 'invalid cursor' }])),
    ).toBe('提交的内容有误，请检查后重试');
    expect(errorMessage(new ApiRequestError(422, 'OUTSIDE_SERVICE_AREA', ''))).toBe('该位置不在本市服务范围内');
  });

  it('stays quiet for a cancelled picker and falls back for anything else', () => {
    expect(errorMessage({ errMsg: 'chooseMedia:fail cancel' })).toBe('');
    expect(errorMessage(new Error('boom'), '上传失败')).toBe('上传失败');
  });

  it("has a default for every code, the API's and the client's own, which never overlap", () => {
    expect(errorMessage(new ApiRequestError(0, 'NETWORK_ERROR', ''))).toBe('网络不给力，请检查网络后重试');
    for (const code of [...ERROR_CODES, ...(Object.keys(CLIENT_ERROR_MESSAGES_ZH) as (keyof typeof CLIENT_ERROR_MESSAGES_ZH)[])]) {
      expect(requestErrorMessage(code)).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(Object.keys(CLIENT_ERROR_MESSAGES_ZH).filter((code) => (ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
  });

  it('refuses a code outside the lists at compile time', () => {
    // @ts-expect-error: not an API code nor a client one (ts-jest fails the suite on an unused expect-error)
    const err = new ApiRequestError(400, 'NO_SUCH_CODE', '');
    expect(err.code).toBe('NO_SUCH_CODE');
  });
});
