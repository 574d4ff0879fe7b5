/**
 * The little key-value contract logic needs from storage. Taro's storage fits it
 * (see services/storage.ts); tests use an in-memory map.
 */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  remove(key: string): void;
}

export function memoryStore(initial: Record<string, unknown> = {}): KeyValueStore & { dump(): Record<string, unknown> } {
  const data = new Map<string, string>(Object.entries(initial).map(([k, v]) => [k, JSON.stringify(v)]));
  return {
    get<T>(key: string) {
      const raw = data.get(key);
      return raw === undefined ? undefined : (JSON.parse(raw) as T);
    },
    set(key, value) {
      // Round-trip through JSON like real storage does, so tests catch non-serialisable drafts.
      data.set(key, JSON.stringify(value));
    },
    remove(key) {
      data.delete(key);
    },
    dump() {
      return Object.fromEntries([...data].map(([k, v]) => [k, JSON.parse(v)]));
    },
  };
}
