/** The only module that starts raw timers; each one is cleared before it starts again. */

export interface Timer {
  start(delayMs: number, callback: () => void): void;
  clear(): void;
  isPending(): boolean;
}

export function createTimer(): Timer {
  let handle: ReturnType<typeof setTimeout> | null = null;
  return {
    start(delayMs, callback) {
      if (handle !== null) clearTimeout(handle);
      handle = setTimeout(() => {
        handle = null;
        callback();
      }, delayMs);
    },
    clear() {
      if (handle !== null) clearTimeout(handle);
      handle = null;
    },
    isPending: () => handle !== null,
  };
}
