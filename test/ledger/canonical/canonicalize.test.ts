// canonicalize: the JCS writing rules one by one, and every value JCS cannot represent rejected with
// GOV_NOT_CANONICAL and a JSON Pointer to the value.
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import { canonicalBytes, canonicalize, MAX_DEPTH } from '../../../src/ledger/canonical/index.js';

/** The error canonicalize throws for `value` (fails the test if it does not throw a GovernessError). */
function rejection(value: unknown, at?: string): GovernessError {
  try {
    canonicalize(value, at);
  } catch (err) {
    expect(GovernessError.is(err, LedgerErrors.notCanonical)).toBe(true);
    return err as GovernessError;
  }
  throw new Error(`canonicalize accepted ${String(value)}`);
}

describe('canonicalize: writing rules', () => {
  it('writes no whitespace and sorts members at every level (§3.2.1, §3.2.3)', () => {
    expect(canonicalize({ b: [1, { z: 1, a: 2 }], a: { y: null, x: true } })).toBe(
      '{"a":{"x":true,"y":null},"b":[1,{"a":2,"z":1}]}',
    );
  });

  it('escapes only ", \\ and U+0000..U+001F, with the short forms where they exist (§3.2.2.2)', () => {
    let controls = '';
    for (let c = 0; c < 0x20; c++) controls += String.fromCharCode(c);
    const expected =
      '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
      '\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"';
    expect(canonicalize(controls)).toBe(expected);
    expect(canonicalize('"\\/')).toBe('"\\"\\\\/"');
    // DEL, U+2028/U+2029, non-ASCII and astral characters are written as themselves.
    expect(canonicalize('\u007f\u2028\u2029é€😀')).toBe('"\u007f\u2028\u2029é€😀"');
    expect(Buffer.from(canonicalBytes('\u2028')).toString('hex')).toBe('22e280a822');
  });

  it('writes numbers as ECMAScript Number::toString, -0 as 0 (§3.2.2.3)', () => {
    expect(canonicalize([-0, 0, 1, -1, 1.5, 1e21, 1e-7, 123456789012345680000, 0.1 + 0.2])).toBe(
      '[0,0,1,-1,1.5,1e+21,1e-7,123456789012345680000,0.30000000000000004]',
    );
  });

  it('writes literals and empty containers', () => {
    expect(canonicalize([null, true, false, {}, [], ''])).toBe('[null,true,false,{},[],""]');
  });

  it('accepts objects without a prototype and property names that look special', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 1;
    bare.a = 2;
    expect(canonicalize(bare)).toBe('{"a":2,"b":1}');
    const parsed = JSON.parse('{"__proto__":1,"constructor":2,"toJSON":"x"}') as unknown;
    expect(canonicalize(parsed)).toBe('{"__proto__":1,"constructor":2,"toJSON":"x"}');
  });

  it('does not honour toJSON: a value is written as the data it is, and a toJSON function is rejected', () => {
    const err = rejection({ a: { value: 1, toJSON: () => 'x' } });
    expect(err.details.where).toBe('/a/toJSON');
    expect(err.message).toContain('function is not a JSON value');
  });

  it('gives the same text on the fast path (sorted input) and the exact path (unsorted input)', () => {
    const sorted = { a: 1, b: { c: 'é', d: [1, 2, { e: null }] } };
    const unsorted = { b: { d: [1, 2, { e: null }], c: 'é' }, a: 1 };
    expect(canonicalize(sorted)).toBe(canonicalize(unsorted));
  });
});

describe('canonicalize: rejected values, with a JSON Pointer to them', () => {
  const cases: readonly [string, () => unknown, string, RegExp][] = [
    [
      'lone high surrogate in a value',
      () => ({ metadata: { note: 'a\uD800b' } }),
      '/metadata/note',
      /U\+D800 at index 1/,
    ],
    ['lone low surrogate in a value', () => ['\uDC00'], '/0', /lone surrogate U\+DC00 at index 0/],
    ['reversed pair', () => ({ s: '\uDE00\uD83D' }), '/s', /U\+DE00 at index 0/],
    [
      'lone surrogate in a name',
      () => ({ a: { ['x\uDBFF']: 1 } }),
      '/a/x\uDBFF',
      /property name has a lone surrogate/,
    ],
    ['NaN', () => ({ metadata: { amount: NaN } }), '/metadata/amount', /NaN is not a JSON number/],
    ['Infinity', () => [1, [Infinity]], '/1/0', /Infinity is not a JSON number/],
    ['-Infinity', () => ({ x: -Infinity }), '/x', /-Infinity is not a JSON number/],
    ['BigInt', () => ({ n: 10n }), '/n', /BigInt is not a JSON number: use a decimal string/],
    ['function', () => ({ f: () => 1 }), '/f', /function is not a JSON value/],
    ['symbol value', () => ({ s: Symbol('x') }), '/s', /symbol is not a JSON value/],
    ['undefined member', () => ({ a: 1, u: undefined }), '/u', /undefined is not a JSON value/],
    ['undefined in an array', () => [1, undefined], '/1', /undefined is not a JSON value/],
    ['undefined at the root', () => undefined, '(root)', /undefined is not a JSON value/],
    ['hole in a sparse array', () => [1, , 3], '/1', /undefined is not a JSON value/],
    ['Date', () => ({ ts: new Date(0) }), '/ts', /Date is not plain JSON data/],
    ['Map', () => ({ m: new Map() }), '/m', /Map is not plain JSON data/],
    ['Set', () => [new Set()], '/0', /Set is not plain JSON data/],
    ['typed array', () => ({ b: new Uint8Array(2) }), '/b', /Uint8Array is not plain JSON data/],
    ['Buffer', () => ({ b: Buffer.from('x') }), '/b', /Buffer is not plain JSON data/],
    ['class instance', () => ({ c: new (class Money {})() }), '/c', /Money is not plain JSON data/],
    ['boxed string', () => ({ s: new String('x') }), '/s', /String is not plain JSON data/],
    [
      'array subclass',
      () => ({ a: new (class List extends Array {})() }),
      '/a',
      /List is not plain JSON data/,
    ],
    ['symbol-keyed member', () => ({ o: { [Symbol('k')]: 1 } }), '/o', /symbol-keyed properties/],
    ['name needing pointer escapes', () => ({ 'a/b~c': NaN }), '/a~1b~0c', /NaN/],
  ];

  for (const [name, make, where, problem] of cases) {
    it(`${name} → where ${where}`, () => {
      const err = rejection(make());
      expect(err.code).toBe('GOV_NOT_CANONICAL');
      expect(err.details.where).toBe(where);
      expect(String(err.details.problem)).toMatch(problem);
      expect(err.message).toContain(`bytes at ${where} are not canonical JSON (RFC 8785)`);
    });
  }

  it('prefixes the pointer with `at`', () => {
    expect(rejection({ note: NaN }, '/private').details.where).toBe('/private/note');
    expect(rejection(NaN, '/private').details.where).toBe('/private');
  });

  it('tells a cycle from deep nesting and names where the cycle closes', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    const cyc = rejection({ root: a });
    expect(cyc.details.where).toBe('/root/self');
    expect(cyc.details.problem).toBe('cycle: this value is its own ancestor at /root');
    const list: unknown[] = [];
    list.push({ back: list });
    expect(rejection(list).details).toEqual({
      where: '/0/back',
      problem: 'cycle: this value is its own ancestor at (root)',
    });
  });

  it('accepts a value shared twice without a cycle', () => {
    const shared = { v: 1 };
    expect(canonicalize({ a: shared, b: [shared] })).toBe('{"a":{"v":1},"b":[{"v":1}]}');
  });

  it(`rejects nesting deeper than ${MAX_DEPTH} levels and accepts exactly ${MAX_DEPTH}`, () => {
    const nest = (depth: number): unknown => {
      let v: unknown = 0;
      for (let i = 0; i < depth; i++) v = [v];
      return v;
    };
    expect(canonicalize(nest(MAX_DEPTH))).toBe('['.repeat(MAX_DEPTH) + '0' + ']'.repeat(MAX_DEPTH));
    const err = rejection(nest(MAX_DEPTH + 1));
    expect(err.details.problem).toBe(`nested deeper than ${MAX_DEPTH} levels`);
    expect(err.details.where).toBe('/0'.repeat(MAX_DEPTH));
  });

  it('refuses to run when a toJSON was planted on a built-in prototype', () => {
    const proto = String.prototype as unknown as { toJSON?: () => string };
    proto.toJSON = () => 'hooked';
    try {
      const err = rejection({ a: 'x' });
      expect(err.details.where).toBe('(runtime)');
      expect(err.details.problem).toMatch(/built-in prototype/);
    } finally {
      delete proto.toJSON;
    }
    expect(canonicalize({ a: 'x' })).toBe('{"a":"x"}');
  });
});
