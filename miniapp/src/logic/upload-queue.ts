import { isErrorCode, type ErrorCode } from '@ssp/shared';

/**
 * Photos on their way to POST /media, one upload per photo so each shows its own
 * progress and a failed one can be retried alone. Network failures are retried
 * automatically a few times; a photo the server rejects (wrong format, too large)
 * is not, and the citizen removes or re-picks it.
 */
export type UploadStatus = 'queued' | 'uploading' | 'failed';

export interface UploadItem<P> {
  key: string;
  filePath: string;
  status: UploadStatus;
  /** 0–100. */
  progress: number;
  error?: string;
  /** False when the server refused the file itself, so uploading it again cannot help. */
  retryable: boolean;
  attempts: number;
  /** Waiting out the delay before an automatic retry. */
  backoff?: boolean;
  /** Set for the moment between success and hand-over to onUploaded. */
  result?: P;
}

export interface UploadHandle<P> {
  promise: Promise<P>;
  abort(): void;
}

export type Uploader<P> = (filePath: string, onProgress: (percent: number) => void) => UploadHandle<P>;

export interface UploadQueueOptions<P> {
  concurrency?: number;
  /** Automatic retries after a network failure before the item shows as failed. */
  autoRetries?: number;
  retryDelayMs?: number;
  onChange?: (items: UploadItem<P>[]) => void;
  /** Called once per photo that reached the server, in completion order. */
  onUploaded?: (photo: P, item: UploadItem<P>) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Decides whether an error is worth retrying (network, 5xx) or final (bad file). */
  isRetryable?: (err: unknown) => boolean;
}

const FINAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNSUPPORTED_IMAGE',
  'IMAGE_CORRUPT',
  'FILE_TOO_LARGE',
  'IMAGE_DIMENSIONS_TOO_LARGE',
  'TOO_MANY_FILES',
  'NO_FILES',
]);

export function defaultIsRetryable(err: unknown): boolean {
  const e = err as { code?: unknown; status?: number } | null;
  if (!e || typeof e !== 'object') return true;
  if (isErrorCode(e.code) && FINAL_CODES.has(e.code)) return false;
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) return false;
  return true;
}

function messageOf(err: unknown): string {
  return err instanceof Error && err.message ? err.message : '上传失败，请重试';
}

let counter = 0;

export class UploadQueue<P> {
  private list: UploadItem<P>[] = [];
  private readonly handles = new Map<string, UploadHandle<P>>();
  private readonly opts: Required<Omit<UploadQueueOptions<P>, 'onChange' | 'onUploaded'>> & Pick<UploadQueueOptions<P>, 'onChange' | 'onUploaded'>;
  private idle: (() => void)[] = [];

  constructor(
    private readonly uploader: Uploader<P>,
    options: UploadQueueOptions<P> = {},
  ) {
    this.opts = {
      concurrency: options.concurrency ?? 2,
      autoRetries: options.autoRetries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 1500,
      sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      isRetryable: options.isRetryable ?? defaultIsRetryable,
      onChange: options.onChange,
      onUploaded: options.onUploaded,
    };
  }

  get items(): readonly UploadItem<P>[] {
    return this.list;
  }

  /** Anything queued or uploading. */
  get busy(): boolean {
    return this.list.some((i) => i.status === 'queued' || i.status === 'uploading');
  }

  get failed(): UploadItem<P>[] {
    return this.list.filter((i) => i.status === 'failed');
  }

  add(filePaths: string[]): UploadItem<P>[] {
    const added = filePaths.map((filePath) => {
      counter += 1;
      return { key: `u${counter}`, filePath, status: 'queued' as const, progress: 0, retryable: true, attempts: 0 };
    });
    this.list = [...this.list, ...added];
    this.changed();
    this.pump();
    return added;
  }

  retry(key: string): void {
    this.update(key, (i) => (i.status === 'failed' ? { ...i, status: 'queued', progress: 0, error: undefined, attempts: 0, backoff: false } : i));
    this.pump();
  }

  retryAll(): void {
    for (const item of this.failed) this.retry(item.key);
  }

  remove(key: string): void {
    this.handles.get(key)?.abort();
    this.handles.delete(key);
    this.list = this.list.filter((i) => i.key !== key);
    this.changed();
    this.pump();
  }

  /** Resolves when nothing is queued or uploading (failed items may remain). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    const running = this.list.filter((i) => i.status === 'uploading').length;
    const waiting = this.list.filter((i) => i.status === 'queued' && !i.backoff).slice(0, Math.max(0, this.opts.concurrency - running));
    for (const item of waiting) void this.run(item.key);
    if (!this.busy) {
      const waiters = this.idle;
      this.idle = [];
      waiters.forEach((r) => r());
    }
  }

  private async run(key: string): Promise<void> {
    this.update(key, (i) => ({ ...i, status: 'uploading', progress: 0, attempts: i.attempts + 1 }));
    const item = this.find(key);
    if (!item) return;
    const handle = this.uploader(item.filePath, (percent) => {
      this.update(key, (i) => (i.status === 'uploading' ? { ...i, progress: Math.max(i.progress, Math.min(99, Math.round(percent))) } : i));
    });
    this.handles.set(key, handle);
    try {
      const photo = await handle.promise;
      if (!this.find(key)) return; // removed while uploading
      this.handles.delete(key);
      const done = { ...this.find(key)!, progress: 100, result: photo };
      this.list = this.list.filter((i) => i.key !== key);
      this.opts.onUploaded?.(photo, done);
      this.changed();
    } catch (err) {
      this.handles.delete(key);
      const current = this.find(key);
      if (!current) return;
      const retryable = this.opts.isRetryable(err);
      if (retryable && current.attempts <= this.opts.autoRetries) {
        this.update(key, (i) => ({ ...i, status: 'queued', progress: 0, backoff: true }));
        await this.opts.sleep(this.opts.retryDelayMs * current.attempts);
        this.update(key, (i) => ({ ...i, backoff: false }));
        this.pump();
        return;
      }
      this.update(key, (i) => ({ ...i, status: 'failed', error: messageOf(err), retryable }));
    }
    this.pump();
  }

  private find(key: string): UploadItem<P> | undefined {
    return this.list.find((i) => i.key === key);
  }

  private update(key: string, fn: (i: UploadItem<P>) => UploadItem<P>): void {
    let touched = false;
    this.list = this.list.map((i) => {
      if (i.key !== key) return i;
      touched = true;
      return fn(i);
    });
    if (touched) this.changed();
  }

  private changed(): void {
    this.opts.onChange?.(this.list);
  }
}
