// The cron in local development: workerd does not run cron triggers by itself, so a timer fires the Worker's
// scheduled handler through wrangler's test route, one run at a time.

export interface CronTimer {
  /** Fires once now (after a run in progress), answering the HTTP status. */
  fireNow(): Promise<number>;
  stop(): Promise<void>;
}

export interface CronTimerOptions {
  readonly apiUrl: string;
  /** The cron expression of wrangler.toml's trigger, passed to the handler as `controller.cron`. */
  readonly cron: string;
  readonly intervalMs: number;
  readonly log: (line: string) => void;
}

export const startCronTimer = (options: CronTimerOptions): CronTimer => {
  const url = `${options.apiUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(options.cron)}`;
  let running: Promise<number> = Promise.resolve(0);
  let fired = 0;

  const fireOnce = async (): Promise<number> => {
    const started = Date.now();
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      fired += 1;
      // The first run and every failure are worth a line; the Worker logs each run's report itself.
      if (fired === 1 || !response.ok) {
        options.log(
          `scheduled → ${response.status} in ${Date.now() - started} ms (every ${options.intervalMs} ms)`,
        );
      }
      return response.status;
    } catch (error) {
      options.log(`scheduled failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  };
  const fireNow = (): Promise<number> => {
    running = running.then(fireOnce);
    return running;
  };
  let busy = false;
  const timer = setInterval(() => {
    // A run slower than the interval is not stacked up behind.
    if (busy) return;
    busy = true;
    void fireNow().finally(() => {
      busy = false;
    });
  }, options.intervalMs);

  return {
    fireNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
};
