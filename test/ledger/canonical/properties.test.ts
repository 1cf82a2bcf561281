// Properties of the canonicalizer over generated JSON values: it agrees with a slow, independent reference
// written from RFC 8785 directly; it is idempotent; member order does not matter; parseCanonical accepts exactly
// the canonical text and rejects any other spelling; a lone surrogate anywhere is an error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import { canonicalize, parseCanonical } from '../../../src/ledger/canonical/index.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** JSON values with any Unicode (full code points, control characters included) in names and strings. */
const json = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });

/** RFC 8785 written out the slow way: a per-code-unit string escaper and an explicit code-unit comparator. */
function reference(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value); // Number::toString
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const record = value as Record<string, unknown>;
  const names = Object.keys(record).sort(compareCodeUnits);
  return `{${names.map((n) => `${quote(n)}:${reference(record[n])}`).join(',')}}`;
}

function compareCodeUnits(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function quote(s: string): string {
  const short: Record<number, string> = {
    8: '\\b',
    9: '\\t',
    10: '\\n',
    12: '\\f',
    13: '\\r',
    34: '\\"',
    92: '\\\\',
  };
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const named = short[c];
    if (named !== undefined) out += named;
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return out + '"';
}

describe('canonicalize properties', () => {
  it('agrees with the reference implementation', () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(canonicalize(v)).toBe(reference(v));
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent: canonicalize(JSON.parse(c)) === c, and parseCanonical(c) gives the same value', () => {
    fc.assert(
      fc.property(json, (v) => {
        const c = canonicalize(v);
        expect(canonicalize(JSON.parse(c))).toBe(c);
        expect(parseCanonical(bytes(c), 'x')).toEqual(JSON.parse(c));
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order members were added in', () => {
    const entries = fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary', maxLength: 6 }), json), {
      selector: ([name]) => name,
      maxLength: 12,
    });
    fc.assert(
      fc.property(entries, fc.infiniteStream(fc.nat()), (list, randoms) => {
        const shuffled = [...list];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (randoms.next().value as number) % (i + 1);
          const swap = shuffled[i] as (typeof shuffled)[number];
          shuffled[i] = shuffled[j] as (typeof shuffled)[number];
          shuffled[j] = swap;
        }
        expect(canonicalize(Object.fromEntries(shuffled))).toBe(canonicalize(Object.fromEntries(list)));
      }),
      { numRuns: 300 },
    );
  });

  it('parseCanonical rejects every other spelling of the same value (indented, or unsorted)', () => {
    fc.assert(
      fc.property(json, (v) => {
        const canonical = canonicalize(v);
        for (const other of [JSON.stringify(v, null, 1), JSON.stringify(v)]) {
          if (other === canonical) {
            expect(parseCanonical(bytes(other), 'x')).toEqual(JSON.parse(canonical));
          } else {
            expect(() => parseCanonical(bytes(other), 'x')).toThrow(/not canonical JSON/);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a lone surrogate anywhere, naming its index', () => {
    const text = fc.string({ unit: 'binary', maxLength: 8 });
    const high = fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c));
    const low = fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(text, fc.oneof(high, low), text, fc.boolean(), (before, lone, after, asName) => {
        // A 'binary' string never starts with a low surrogate nor ends with a high one, so `lone` stays unpaired.
        const s = before + lone + after;
        const value = asName ? { [s]: 1 } : { v: [s] };
        try {
          canonicalize(value);
          expect.unreachable();
        } catch (err) {
          expect(GovernessError.is(err, LedgerErrors.notCanonical)).toBe(true);
          expect(String((err as GovernessError).details.problem)).toContain(`at index ${before.length}`);
        }
        expect(() => parseCanonical(bytes(JSON.stringify(value)), 'x')).toThrow(/lone surrogate/);
      }),
      { numRuns: 300 },
    );
  });
});
