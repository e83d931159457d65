import { watchDirectory } from '../storage/log-dir-watch.js';

/** First wait after finding nothing new; doubles up to the poll interval while the table is idle. */
const FIRST_WAIT_MS = 25;

/**
 * Waits for a table's next commit: polling with exponential backoff up to `pollIntervalMs`, woken
 * early by file-system notifications on the local `_delta_log` directory where the platform has
 * them. A notification only wakes the caller, which then reads the log; it is never trusted as
 * proof of a commit, so a missed or spurious event costs at most one poll interval.
 */
export class CommitWatcher {
  private stopWatch: (() => void) | undefined;
  private dirty = false;
  private wake: (() => void) | undefined;
  private waitMs = FIRST_WAIT_MS;

  constructor(
    private readonly pollIntervalMs: number,
    private readonly signal: AbortSignal | undefined,
    logDir: string | undefined,
  ) {
    if (logDir !== undefined) {
      try {
        this.stopWatch = watchDirectory(logDir, () => this.notify(), () => this.stopWatching());
      } catch {
        // No notifications here (directory missing, platform limits): polling alone still works.
        this.stopWatch = undefined;
      }
    }
  }

  get usesNotifications(): boolean {
    return this.stopWatch !== undefined;
  }

  /** Call when the log had something new: the next wait starts short again. */
  resetBackoff(): void {
    this.waitMs = FIRST_WAIT_MS;
  }

  /** Resolves after a notification, the backoff delay, or an abort, whichever comes first. */
  async wait(): Promise<void> {
    // An abort that came while the caller was reading the log has already fired its event.
    if (this.signal?.aborted) return;
    if (this.dirty) {
      this.dirty = false;
      return;
    }
    const delay = Math.min(this.waitMs, this.pollIntervalMs);
    this.waitMs = Math.min(this.waitMs * 2, this.pollIntervalMs);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', done);
        this.wake = undefined;
        this.dirty = false;
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.wake = done;
      this.signal?.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.stopWatching();
    this.wake?.();
  }

  private notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  private stopWatching(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }
}
