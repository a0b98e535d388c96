// workerd implements node:async_hooks under `nodejs_compat`, but the Worker's program leaves out
// @types/node (its globals clash with the Workers types): declare only what the metrics scope uses.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
