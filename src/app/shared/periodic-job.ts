// A job every instance runs in the background: every `intervalMs`, on demand (runNow), or as
// soon as possible when nudged. A run still going is never doubled: runNow then answers
// null, and a nudge asks for one more run right after the current one.
export interface PeriodicJob<R> {
  /** Runs once now (awaitable); null when a run is already going, or the job is stopped. */
  runNow(): Promise<R | null>;
  /** Runs now, or right after the current run. */
  nudge(): void;
  /** No more runs; resolves when the current one (if any) has finished, so the database can close. */
  stop(): Promise<void>;
}

export interface PeriodicJobOptions<R> {
  intervalMs: number;
  onReport?: (report: R) => void;
  onError?: (error: unknown) => void;
}

export function startPeriodicJob<R>(run: () => Promise<R>, options: PeriodicJobOptions<R>): PeriodicJob<R> {
  let running: Promise<R | null> | null = null;
  let again = false;
  let stopped = false;
  const runNow = (): Promise<R | null> => {
    if (running || stopped) return Promise.resolve(null);
    running = run()
      .then((report) => {
        options.onReport?.(report);
        return report;
      })
      .catch((error: unknown) => {
        options.onError?.(error);
        return null;
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          void runNow();
        }
      });
    return running;
  };
  const timer = setInterval(() => void runNow(), options.intervalMs);
  timer.unref();
  return {
    runNow,
    nudge() {
      if (running) again = true;
      else void runNow();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
    },
  };
}
