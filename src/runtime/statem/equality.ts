// What counts as a state change (GS-02). OTP compares terms with =:=; JavaScript needs a rule. Ours: primitives
// compare with ===; plain objects and arrays compare by value, recursively (key order does not matter); any other
// object (Map, Date, class instance) compares by identity. A definition can override the rule with `stateKey`.

function isPlain(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Structural equality over JSON-like values, identity for everything else. */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!valueEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The state-equality rule for a definition: its `stateKey` if given, else `valueEquals`. */
export function stateEquality<S>(stateKey?: (s: S) => string | number): (a: S, b: S) => boolean {
  if (stateKey === undefined) return valueEquals;
  return (a, b) => a === b || stateKey(a) === stateKey(b);
}
