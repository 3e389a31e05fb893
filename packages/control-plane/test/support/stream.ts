import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';

/** Reads a server stream message by message, with a deadline on each wait. */
export class StreamReader<T> {
  private readonly queue: T[] = [];
  private waiter?: () => void;
  error?: ServiceError;
  ended = false;
  readonly stream: ClientReadableStream<T>;

  constructor(stream: ClientReadableStream<T>) {
    this.stream = stream;
    stream.on('data', (m: T) => {
      this.queue.push(m);
      this.waiter?.();
    });
    stream.on('error', (err: ServiceError) => {
      this.error = err;
      this.waiter?.();
    });
    stream.on('end', () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  async next(timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.error) throw this.error;
      if (this.ended) throw new Error('stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.queue.shift() as T;
  }

  /** Waits for the stream to fail and returns its status. */
  async failure(timeoutMs = 5000): Promise<ServiceError> {
    const deadline = Date.now() + timeoutMs;
    while (!this.error && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (!this.error) throw new Error('stream did not fail');
    return this.error;
  }

  /** Nothing more arrives within `ms` (used to show an unrelated change sends nothing). */
  async quiet(ms: number): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.length === 0;
  }

  cancel(): void {
    this.stream.cancel();
  }
}
