/**
 * A FIFO queue on a power-of-two ring buffer. Arrays with `shift()` degrade to O(n) on large mailboxes; this stays
 * O(1) for push, shift and unshift, and starts tiny so an idle process costs a few words.
 */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private len = 0;

  constructor(capacity = 4) {
    this.buf = new Array<T | undefined>(capacity);
  }

  /** Number of queued items. */
  get length(): number {
    return this.len;
  }

  /** Items the buffer holds before it grows. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Appends at the tail. */
  push(item: T): void {
    if (this.len === this.buf.length) this.grow();
    this.buf[(this.head + this.len) & (this.buf.length - 1)] = item;
    this.len++;
  }

  /** Inserts at the head (used to put inserted and retried events ahead of queued ones). */
  unshift(item: T): void {
    if (this.len === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = item;
    this.len++;
  }

  /** Removes and returns the head, or undefined when empty. */
  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.len--;
    return item;
  }

  /** Returns the head without removing it. */
  peek(): T | undefined {
    return this.len === 0 ? undefined : this.buf[this.head];
  }

  /** Item at position i from the head (0-based), for inspection. */
  at(i: number): T | undefined {
    return i < 0 || i >= this.len ? undefined : this.buf[(this.head + i) & (this.buf.length - 1)];
  }

  /** Copies the items head-first into a new array. */
  toArray(): T[] {
    const out = new Array<T>(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.head + i) & (this.buf.length - 1)] as T;
    return out;
  }

  /** Removes every item. */
  clear(): void {
    this.buf = new Array<T | undefined>(4);
    this.head = 0;
    this.len = 0;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}
