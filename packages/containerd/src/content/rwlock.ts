/**
 * An async readers-writer lock. Content mutations (opening writers, commits,
 * aborts, deletes) hold it shared; the collector's sweep of the blob
 * directory holds it exclusively, so it never sees a blob renamed into place
 * whose record is not written yet (containerd's contentStore.l).
 * Writers are preferred: once one waits, new readers queue behind it.
 */
type Waiter = { exclusive: boolean; wake: () => void };

export class RWLock {
  private readers = 0;
  private writer = false;
  private readonly queue: Waiter[] = [];

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.release(false);
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.release(true);
    }
  }

  private canTake(exclusive: boolean): boolean {
    return exclusive ? !this.writer && this.readers === 0 : !this.writer && this.queue.length === 0;
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.writer = true;
    else this.readers++;
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.canTake(exclusive)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ exclusive, wake: resolve }));
  }

  private release(exclusive: boolean): void {
    if (exclusive) this.writer = false;
    else this.readers--;
    // Wake the head of the queue; consecutive readers go together.
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.exclusive ? this.writer || this.readers > 0 : this.writer) break;
      this.queue.shift();
      this.take(head.exclusive);
      head.wake();
      if (head.exclusive) break;
    }
  }
}
