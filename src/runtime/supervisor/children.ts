// The supervisor's children: static children in start order (OTP keeps them in a map plus an id list), and the
// dynamic children of a simple_one_for_one supervisor in a set with a pid index.
import type { Pid } from '../process/pid.js';
import type { ChildId, NormalizedChildSpec } from './types.js';

/** One child: its spec, its pid while running, and whether a failed restart is waiting to be retried. */
export interface ChildRecord {
  readonly spec: NormalizedChildSpec;
  pid: Pid | undefined;
  restarting: boolean;
  /** Extra start arguments (simple_one_for_one); empty for static children. */
  readonly extraArgs: readonly unknown[];
}

/** True when the child is running or being restarted (OTP: its pid field is not `undefined`). */
export function isLive(c: ChildRecord): boolean {
  return c.pid !== undefined || c.restarting;
}

/** Static children, in start order. */
export class StaticChildren {
  private list: ChildRecord[] = [];

  /** Every child, in start order. */
  all(): readonly ChildRecord[] {
    return this.list;
  }

  /** Number of specs. */
  get size(): number {
    return this.list.length;
  }

  /** The child with this id. */
  byId(id: unknown): ChildRecord | undefined {
    return this.list.find((c) => c.spec.id === id);
  }

  /** The child running as this pid. */
  byPid(pid: Pid): ChildRecord | undefined {
    return this.list.find((c) => c.pid === pid);
  }

  /** True if the record is still in the table. */
  has(c: ChildRecord): boolean {
    return this.list.includes(c);
  }

  /** Adds a child as the last started. */
  add(c: ChildRecord): void {
    this.list.push(c);
  }

  /** Removes a child's spec. */
  remove(c: ChildRecord): void {
    this.list = this.list.filter((x) => x !== c);
  }

  /** The child and every child started after it, in start order. */
  from(c: ChildRecord): ChildRecord[] {
    const i = this.list.indexOf(c);
    return i < 0 ? [] : this.list.slice(i);
  }

  /** Ids, for messages. */
  ids(): ChildId[] {
    return this.list.map((c) => c.spec.id);
  }
}

/** Dynamic children of a simple_one_for_one supervisor. */
export class DynamicChildren {
  private readonly set = new Set<ChildRecord>();
  private readonly index = new Map<Pid, ChildRecord>();

  /** Every child, oldest first. */
  all(): ChildRecord[] {
    return [...this.set];
  }

  /** Number of children, including those waiting for a restart. */
  get size(): number {
    return this.set.size;
  }

  /** Children waiting for a restart. */
  get restarting(): number {
    let n = 0;
    for (const c of this.set) if (c.restarting) n++;
    return n;
  }

  /** The child running as this pid. */
  byPid(pid: Pid): ChildRecord | undefined {
    return this.index.get(pid);
  }

  /** True if the record is still in the table. */
  has(c: ChildRecord): boolean {
    return this.set.has(c);
  }

  /** Adds a child. */
  add(c: ChildRecord): void {
    this.set.add(c);
    if (c.pid !== undefined) this.index.set(c.pid, c);
  }

  /** Removes a child. */
  remove(c: ChildRecord): void {
    this.set.delete(c);
    if (c.pid !== undefined && this.index.get(c.pid) === c) this.index.delete(c.pid);
  }
}
