import type { IncomingMessage } from 'node:http';
import busboy, { type Busboy } from 'busboy';
import { PHOTO_UPLOAD_FIELD, type ErrorCode } from '@ssp/shared';
import { ApiError } from '../core/errors';

export interface UploadLimits {
  maxFileBytes: number;
  maxFiles: number;
}

/** Text fields are not used but clients may send a few (e.g. wx.uploadFile formData); more is abuse. */
const MAX_FIELDS = 8;
const MAX_FIELD_BYTES = 1024;
const MAX_HEADER_PAIRS = 16;
/** Boundaries, part headers and the few small fields on top of the files themselves. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The most a whole upload request may carry. */
export function maxUploadBytes(limits: UploadLimits): number {
  return limits.maxFiles * limits.maxFileBytes + MULTIPART_OVERHEAD_BYTES;
}

/** Refusals that stop reading mid-body close the connection rather than drain an unbounded rest. */
const CLOSE = { Connection: 'close' };

const fieldAt = (index: number) => `${PHOTO_UPLOAD_FIELD}[${index}]`;

/**
 * Streams a multipart/form-data request through busboy with hard limits and hands each
 * complete `photos` file to `handle`, one at a time in upload order, while the rest is
 * still arriving. Resolves with the handlers' results in order. The first refusal (a
 * limit, a malformed body, or a handler's error) stops reading at once and rejects.
 */
export function receiveFiles<T>(req: IncomingMessage, limits: UploadLimits, handle: (data: Buffer, index: number) => Promise<T>): Promise<T[]> {
  const maxTotal = maxUploadBytes(limits);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxTotal) {
    return Promise.reject(new ApiError(413, 'PAYLOAD_TOO_LARGE', `上传内容过大（最多 ${maxTotal} 字节）`, undefined, CLOSE));
  }

  let parser: Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: {
        fileSize: limits.maxFileBytes,
        files: limits.maxFiles,
        fields: MAX_FIELDS,
        fieldSize: MAX_FIELD_BYTES,
        fieldNameSize: 100,
        parts: limits.maxFiles + MAX_FIELDS,
        headerPairs: MAX_HEADER_PAIRS,
      },
    });
  } catch {
    // Not multipart, or no boundary.
    return Promise.reject(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', '请使用 multipart/form-data 上传照片'));
  }

  return new Promise<T[]>((resolve, reject) => {
    const results: Promise<T>[] = [];
    let queue: Promise<unknown> = Promise.resolve();
    let fileCount = 0;
    let received = 0;
    let finished = false;

    // Stops feeding the parser; busboy is left to finish the chunk in hand (destroying it
    // from inside its own event would crash it) and is collected with the request. A
    // refusal sent before the body has fully arrived closes the connection.
    const fail = (err: unknown) => {
      if (finished) return;
      finished = true;
      req.off('data', countBytes);
      req.unpipe(parser);
      const closing = err instanceof ApiError && !req.complete;
      reject(closing ? new ApiError(err.status, err.code, err.message, err.details, { ...err.headers, ...CLOSE }) : err);
    };
    const countBytes = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxTotal) fail(new ApiError(413, 'PAYLOAD_TOO_LARGE', `上传内容过大（最多 ${maxTotal} 字节）`));
    };
    const refuse = (status: number, code: ErrorCode, field: string, issue: string, message?: string) =>
      fail(new ApiError(status, code, message, [{ field, issue }]));

    const malformed = () => refuse(400, 'VALIDATION_FAILED', PHOTO_UPLOAD_FIELD, '表单数据格式错误或不完整');

    parser.on('file', (name, stream) => {
      // A file stream errors when the body ends mid-file.
      stream.on('error', malformed);
      if (finished) return void stream.resume();
      if (name !== PHOTO_UPLOAD_FIELD) {
        stream.resume();
        return refuse(400, 'VALIDATION_FAILED', name, `请使用 ${PHOTO_UPLOAD_FIELD} 字段上传照片`);
      }
      const index = fileCount++;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => refuse(413, 'FILE_TOO_LARGE', fieldAt(index), `单张照片不能超过 ${limits.maxFileBytes} 字节`));
      stream.on('end', () => {
        if (finished || stream.truncated) return;
        const data = Buffer.concat(chunks);
        chunks.length = 0;
        const result = queue.then(() => {
          if (finished) throw new Error('upload already refused');
          return handle(data, index);
        });
        queue = result.catch(() => undefined);
        result.catch(fail);
        results.push(result);
      });
    });
    parser.on('filesLimit', () =>
      refuse(400, 'TOO_MANY_FILES', PHOTO_UPLOAD_FIELD, `最多 ${limits.maxFiles} 张`, `最多上传 ${limits.maxFiles} 张照片`),
    );
    parser.on('fieldsLimit', () => refuse(400, 'VALIDATION_FAILED', PHOTO_UPLOAD_FIELD, '表单字段过多'));
    parser.on('partsLimit', () => refuse(400, 'VALIDATION_FAILED', PHOTO_UPLOAD_FIELD, '表单分段过多'));
    parser.on('error', malformed);
    parser.on('close', () => {
      if (finished) return;
      if (fileCount === 0) {
        return refuse(400, 'NO_FILES', PHOTO_UPLOAD_FIELD, '没有收到照片');
      }
      Promise.all(results).then((values) => {
        if (finished) return;
        finished = true;
        resolve(values);
      }, fail);
    });
    req.on('error', () => fail(new ApiError(400, 'VALIDATION_FAILED', '上传中断，请重试')));

    req.on('data', countBytes);
    req.pipe(parser);
  });
}
