import { defaultIsRetryable, UploadQueue, type UploadHandle } from '../src/logic/upload-queue';

/** A controllable fake uploader: each call waits until the test resolves or rejects it. */
function fakeUploader() {
  const calls: { path: string; progress: (p: number) => void; resolve: (v: string) => void; reject: (e: unknown) => void; aborted: boolean }[] = [];
  const uploader = (path: string, progress: (p: number) => void): UploadHandle<string> => {
    let call!: (typeof calls)[number];
    const promise = new Promise<string>((resolve, reject) => {
      call = { path, progress, resolve, reject, aborted: false };
    });
    calls.push(call);
    return {
      promise,
      abort() {
        call.aborted = true;
        call.reject(new Error('abort'));
      },
    };
  };
  return { calls, uploader };
}

const flush = () => new Promise((r) => setImmediate(r));
const networkError = Object.assign(new Error('网络不给力'), { status: 0, code: 'NETWORK_ERROR' });

describe('upload queue', () => {
  it('uploads with limited concurrency, reports progress, and hands over finished photos in order of completion', async () => {
    const { calls, uploader } = fakeUploader();
    const done: string[] = [];
    const q = new UploadQueue(uploader, { concurrency: 2, onUploaded: (p) => done.push(p) });
    q.add(['a', 'b', 'c']);
    expect(calls.map((c) => c.path)).toEqual(['a', 'b']);
    expect(q.items.map((i) => i.status)).toEqual(['uploading', 'uploading', 'queued']);

    calls[0]!.progress(40);
    expect(q.items[0]!.progress).toBe(40);
    calls[0]!.progress(100); // 100 only when the server answered
    expect(q.items[0]!.progress).toBe(99);

    calls[1]!.resolve('photo-b');
    await flush();
    expect(done).toEqual(['photo-b']);
    expect(calls.map((c) => c.path)).toEqual(['a', 'b', 'c']);
    calls[0]!.resolve('photo-a');
    calls[2]!.resolve('photo-c');
    await q.whenIdle();
    expect(done).toEqual(['photo-b', 'photo-a', 'photo-c']);
    expect(q.items).toEqual([]);
    expect(q.busy).toBe(false);
  });

  it('retries a network failure automatically, then shows it as failed for a manual retry', async () => {
    const { calls, uploader } = fakeUploader();
    const sleeps: number[] = [];
    const done: string[] = [];
    const q = new UploadQueue(uploader, {
      autoRetries: 1,
      retryDelayMs: 10,
      sleep: async (ms) => void sleeps.push(ms),
      onUploaded: (p) => done.push(p),
    });
    const [item] = q.add(['a']);
    calls[0]!.reject(networkError);
    await flush();
    await flush();
    expect(calls).toHaveLength(2); // one automatic retry
    calls[1]!.reject(networkError);
    await flush();
    expect(q.items[0]).toMatchObject({ status: 'failed', retryable: true, error: '网络不给力' });
    expect(sleeps).toEqual([10]);

    q.retry(item!.key);
    expect(q.items[0]!.status).toBe('uploading');
    calls[2]!.resolve('photo-a');
    await q.whenIdle();
    expect(done).toEqual(['photo-a']);
  });

  it('does not retry a file the server refused, and retryAll skips nothing else', async () => {
    const { calls, uploader } = fakeUploader();
    const q = new UploadQueue(uploader, { autoRetries: 3 });
    q.add(['bad.heic']);
    calls[0]!.reject(Object.assign(new Error('不支持的图片格式'), { status: 415, code: 'UNSUPPORTED_IMAGE' }));
    await flush();
    expect(calls).toHaveLength(1);
    expect(q.failed[0]).toMatchObject({ retryable: false, error: '不支持的图片格式' });
  });

  it('removing an upload aborts it and frees its slot', async () => {
    const { calls, uploader } = fakeUploader();
    const q = new UploadQueue(uploader, { concurrency: 1 });
    const [a] = q.add(['a', 'b']);
    q.remove(a!.key);
    expect(calls[0]!.aborted).toBe(true);
    expect(calls.map((c) => c.path)).toEqual(['a', 'b']);
    expect(q.items.map((i) => i.filePath)).toEqual(['b']);
  });

  it('classifies errors: network and 5xx retry, bad files and 4xx do not', () => {
    expect(defaultIsRetryable(networkError)).toBe(true);
    expect(defaultIsRetryable({ status: 503, code: 'SERVICE_UNAVAILABLE' })).toBe(true);
    expect(defaultIsRetryable({ status: 429, code: 'RATE_LIMITED' })).toBe(true);
    expect(defaultIsRetryable({ status: 413, code: 'FILE_TOO_LARGE' })).toBe(false);
    expect(defaultIsRetryable({ status: 400, code: 'VALIDATION_FAILED' })).toBe(false);
    expect(defaultIsRetryable(new Error('timeout'))).toBe(true);
  });
});
