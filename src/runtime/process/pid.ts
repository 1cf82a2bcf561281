import type { Proc } from './proc.js';

/**
 * A process identifier. `P` is a phantom protocol type so `call`/`cast` through a Pid are type-checked; it has no
 * runtime cost. A Pid stays valid after its process ends (it then resolves to nothing) and does not keep the
 * process's memory alive.
 */
export class Pid<P = unknown> {
  /** Phantom marker binding the Pid to its machine's protocol; never set at runtime. */
  declare readonly __protocol?: P;
  /** @internal The live process, or null once it has exited. */
  proc: Proc | null;

  constructor(
    /** Unique, increasing number within one Runtime. */
    readonly id: number,
    proc: Proc | null,
  ) {
    this.proc = proc;
  }

  /** True while the process is alive. */
  get alive(): boolean {
    return this.proc !== null;
  }

  /** OTP-style rendering, e.g. `<0.42.0>`. */
  toString(): string {
    return `<0.${this.id}.0>`;
  }

  /** Serialises as the rendered pid so traces and receipts stay JSON. */
  toJSON(): string {
    return this.toString();
  }
}
