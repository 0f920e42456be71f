/** Apollo's `KeyValueCache` as its persisted queries use it (structurally: it is not re-exported). */
export interface PersistedQueryCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/**
 * The store of automatic persisted queries. Apollo registers queries in it (checking each against its
 * hash); the HTTP core looks a hash up once, puts the query in the request, and the request is counted
 * and run from that text (see graphql-request.ts). Bounded in entries and bytes; the oldest entries go
 * first. Apollo's `KeyValueCache` interface, as Apollo uses it for persisted queries (its keys carry
 * Apollo's `apq:` prefix).
 */
export class PersistedQueryStore implements PersistedQueryCache {
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

  /**
   * The store as Apollo is given it: it registers queries, and never finds one by its hash alone. The
   * core has already put every query it knows into the request; a hash it did not know when it counted
   * the request must not be found later (registered meanwhile by another request), or the operation
   * would run uncounted. Apollo answers such a hash `PERSISTED_QUERY_NOT_FOUND`, and the client sends
   * the query again with it.
   */
  forApollo(): PersistedQueryCache {
    return {
      get: () => Promise.resolve(undefined),
      set: (key, value) => this.set(key, value),
      delete: (key) => this.delete(key),
    };
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
