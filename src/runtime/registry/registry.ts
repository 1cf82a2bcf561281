// Unique process names (OTP register/whereis, GS-95). Names are strings or structured keys such as
// ['governor', sku, tenant]; a `via` registry (e.g. a cluster-wide one) can stand in for the local table.
import type { Pid } from '../process/pid.js';
import type { Proc } from '../process/proc.js';

/** A structured or plain process name. */
export type LocalName = string | readonly (string | number)[];

/** A pluggable registry with OTP `global`/`via` semantics; the runtime calls it instead of the local table. */
export interface ViaRegistry {
  /** Registers `name`; returns the pid already holding it, or null when the name was free and is now taken. */
  register(name: unknown, pid: Pid): Pid | null;
  /** Removes the name (called when its process exits). */
  unregister(name: unknown): void;
  /** The pid registered under `name`, if any. */
  whereis(name: unknown): Pid | undefined;
}

/** A name for `start` and for addressing: a local name or `{ via, name }`. */
export type ProcessName = LocalName | { readonly via: ViaRegistry; readonly name: unknown };

/** True when `name` is a `{ via, name }` pair whose registry has register, unregister and whereis. */
export function isViaName(name: unknown): name is { via: ViaRegistry; name: unknown } {
  if (
    typeof name !== 'object' ||
    name === null ||
    Array.isArray(name) ||
    !('via' in name) ||
    !('name' in name)
  ) {
    return false;
  }
  const via = name.via as Partial<ViaRegistry> | null;
  return (
    typeof via === 'object' &&
    via !== null &&
    typeof via.register === 'function' &&
    typeof via.unregister === 'function' &&
    typeof via.whereis === 'function'
  );
}

/** True when `name` is a valid local name. */
export function isLocalName(name: unknown): name is LocalName {
  if (typeof name === 'string') return name.length > 0;
  return (
    Array.isArray(name) &&
    name.length > 0 &&
    name.every((p) => typeof p === 'string' || (typeof p === 'number' && Number.isFinite(p)))
  );
}

/**
 * The key a local name is stored under. Structured keys are JSON (always starting with `[`) and plain strings get
 * a `$` prefix, so ['a','b'], 'a,b' and the string '["a","b"]' are three different names.
 */
export function nameKey(name: LocalName): string {
  return typeof name === 'string' ? `$${name}` : JSON.stringify(name);
}

/** The local name table. */
export class Registry {
  private readonly table = new Map<string, Proc>();

  /** Registers `proc` under `name`; returns the process already holding the name, or null on success. */
  register(name: LocalName, proc: Proc): Proc | null {
    const key = nameKey(name);
    const existing = this.table.get(key);
    if (existing !== undefined && existing.alive) return existing;
    this.table.set(key, proc);
    proc.registeredName = name;
    return null;
  }

  /** Removes `name` if it is registered to `proc` (or to anything, when `proc` is omitted). */
  unregister(name: LocalName, proc?: Proc): boolean {
    const key = nameKey(name);
    const existing = this.table.get(key);
    if (existing === undefined || (proc !== undefined && existing !== proc)) return false;
    this.table.delete(key);
    if (existing.registeredName !== undefined && nameKey(existing.registeredName as LocalName) === key) {
      existing.registeredName = undefined;
    }
    return true;
  }

  /** The live process registered under `name`. */
  whereis(name: LocalName): Proc | undefined {
    const p = this.table.get(nameKey(name));
    return p !== undefined && p.alive ? p : undefined;
  }

  /** All registered names. */
  names(): LocalName[] {
    return [...this.table.values()].map((p) => p.registeredName as LocalName);
  }

  /** Number of registered names. */
  get size(): number {
    return this.table.size;
  }
}
