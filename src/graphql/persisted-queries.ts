/**
 * The store of automatic persisted queries, shared by Apollo (which registers and looks up queries by
 * their hash) and the request cost gate (which must count a query sent by its hash alone before Apollo
 * runs it). Bounded in entries and bytes; the oldest entries go first. Apollo's `KeyValueCache`
 * interface, as Apollo uses it for persisted queries (its keys carry Apollo's `apq:` prefix).
 */
export class PersistedQueryStore {
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 1_000,
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  /** The query registered under a SHA-256 hash, if it is still held. */
  queryOf(sha256Hash: string): string | undefined {
    return this.entries.get(`apq:${sha256Hash}`);
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.entries.get(key));
  }

  set(key: string, value: string): Promise<void> {
    if (value.length > this.maxBytes) return Promise.resolve();
    this.remove(key);
    this.entries.set(key, value);
    this.bytes += value.length;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      this.remove(this.entries.keys().next().value!);
    }
    return Promise.resolve();
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.remove(key));
  }

  private remove(key: string): boolean {
    const value = this.entries.get(key);
    if (value === undefined) return false;
    this.entries.delete(key);
    this.bytes -= value.length;
    return true;
  }
}
