// Short, bounded renderings of events and values for crash reasons, traces and error messages.

const LIMIT = 200;

/** Renders any value compactly (JSON where possible), cut at 200 characters. */
export function brief(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (typeof value === 'function') s = '[function]';
  else {
    try {
      s = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > LIMIT ? `${s.slice(0, LIMIT - 1)}…` : s;
}

/** Renders an event as `type content`, e.g. `cast {"type":"signal"}` or `enter "boot"`. */
export function describeEvent(event: unknown): string {
  if (event === null || typeof event !== 'object') return brief(event);
  const e = event as {
    type?: unknown;
    content?: unknown;
    request?: unknown;
    oldState?: unknown;
    name?: unknown;
  };
  switch (e.type) {
    case 'call':
      return `call ${brief(e.request)}`;
    case 'enter':
      return `enter ${brief(e.oldState)}`;
    case 'generic_timeout':
      return `generic_timeout ${String(e.name)} ${brief(e.content)}`;
    default:
      return `${String(e.type)} ${brief(e.content)}`;
  }
}
