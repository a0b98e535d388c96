/**
 * The key-value store the client caches tokens and responses in: Workers KV in production (a
 * `KVNamespace` fits this shape), an in-memory map in Node tools such as the benchmark.
 */
export interface CacheStore {
  get(key: string, type: "json"): Promise<unknown>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}
