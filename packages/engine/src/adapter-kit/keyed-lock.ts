/** Runs tasks one at a time per key, in call order; tasks on different keys run freely. */
export interface KeyedLock {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export const createKeyedLock = (): KeyedLock => {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      let release = () => {};
      const tail = previous.then(
        () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      );
      tails.set(key, tail);
      await previous;
      try {
        return await task();
      } finally {
        release();
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
};
