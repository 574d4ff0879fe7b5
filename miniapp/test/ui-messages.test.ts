import { ApiRequestError } from '@ssp/shared';
import { errorMessage } from '../src/services/ui';

describe('error messages', () => {
  it('shows the API message, made specific by a field problem written for people', () => {
    expect(errorMessage(new ApiRequestError(400, 'VALIDATION_FAILED', '提交的内容有误，请检查后重试', [{ field: 'endAt', issue: '结束时间已过' }]))).toBe(
      '提交的内容有误，请检查后重试：结束时间已过',
    );
    expect(errorMessage(new ApiRequestError(400, 'VALIDATION_FAILED', '提交的内容有误，请检查后重试', [{ field: 'cursor', issue: 'invalid cursor' }]))).toBe(
      '提交的内容有误，请检查后重试',
    );
    expect(errorMessage(new ApiRequestError(422, 'OUTSIDE_SERVICE_AREA', ''))).toBe('该位置不在本市服务范围内');
  });

  it('stays quiet for a cancelled picker and falls back for anything else', () => {
    expect(errorMessage({ errMsg: 'chooseMedia:fail cancel' })).toBe('');
    expect(errorMessage(new Error('boom'), '上传失败')).toBe('上传失败');
  });
});
