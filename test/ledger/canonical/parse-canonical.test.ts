// parseCanonical: only the exact RFC 8785 bytes of a value are accepted; every other spelling is rejected with
// GOV_NOT_CANONICAL naming the place (`where`) and the byte offset, the duplicated name, or the JSON Pointer.
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import { parseCanonical } from '../../../src/ledger/canonical/index.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** The GOV_NOT_CANONICAL error parseCanonical throws for `input` read at `where`. */
function rejection(input: Uint8Array | string, where = 'line 7'): GovernessError {
  try {
    parseCanonical(typeof input === 'string' ? bytes(input) : input, where);
  } catch (err) {
    expect(GovernessError.is(err, LedgerErrors.notCanonical)).toBe(true);
    return err as GovernessError;
  }
  throw new Error(`accepted ${String(input)}`);
}

describe('parseCanonical accepts canonical bytes', () => {
  const accepted = [
    '{}',
    '[]',
    '0',
    '-1.5',
    '"x"',
    'null',
    '{"a":1,"b":[true,false,null],"c":{"d":"\\u001f\\n"}}',
    '{"1":1,"10":2,"2":3}', // integer-like names in code-unit order: JS reorders them, the check must not
    '{"":0,"a":0}',
    '{"\u20ac":1,"\ud83d\ude00":2,"\ufb33":3}',
    '"\\\\ud800"', // an escaped backslash followed by the letters ud800 is not a surrogate escape
    '{"__proto__":{"a":1}}',
    '1e+21',
    '5e-324',
  ];
  for (const text of accepted) {
    it(`accepts ${text}`, () => {
      expect(parseCanonical(bytes(text), 'x')).toEqual(JSON.parse(text));
    });
  }

  it('accepts a Uint8Array view into a larger buffer', () => {
    const backing = Buffer.from('xx{"a":1}yy');
    expect(parseCanonical(new Uint8Array(backing.buffer, backing.byteOffset + 2, 7), 'x')).toEqual({ a: 1 });
  });
});

describe('parseCanonical rejects other spellings, naming where and what', () => {
  const cases: readonly [string, string, RegExp][] = [
    [
      'space after a colon',
      '{"a": 1}',
      /first difference at byte 5: found 0x20 \(' '\), canonical form has 0x31 \('1'\)/,
    ],
    [
      'trailing newline',
      '{"a":1}\n',
      /first difference at byte 7: found 0x0a, canonical form has end of input/,
    ],
    ['leading space', ' {}', /byte 0: found 0x20/],
    [
      'unsorted names',
      '{"b":1,"a":2}',
      /first difference at byte 2: found 0x62 \('b'\), canonical form has 0x61 \('a'\)/,
    ],
    [
      'code-point order instead of code-unit order',
      '{"\ufb33":1,"\ud83d\ude00":2}',
      /first difference at byte 2/,
    ],
    ['1.0 for 1', '[1.0]', /byte 2: found 0x2e/],
    ['exponent form', '[1E2]', /first difference at byte 2/],
    ['-0', '-0', /byte 0: found 0x2d \('-'\), canonical form has 0x30 \('0'\)/],
    ['escaped letter', '"\\u0041"', /byte 1: found 0x5c/],
    ['escaped solidus', '"\\/"', /byte 1: found 0x5c/],
    ['upper-case hex escape', '"\\u001F"', /byte 6: found 0x46 \('F'\), canonical form has 0x66 \('f'\)/],
    ['long form of a short escape', '"\\u000a"', /byte 2: found 0x75/],
    ['raw control character', '"a\tb"', /not JSON/],
    ['escaped U+2028', '"\\u2028"', /byte 1: found 0x5c/],
    ['not JSON', '{"a":}', /not JSON: /],
    ['empty input', '', /not JSON: /],
    ['two documents', '{}{}', /not JSON: /],
  ];
  for (const [name, text, problem] of cases) {
    it(`${name}: ${JSON.stringify(text)}`, () => {
      const err = rejection(text);
      expect(err.details.where).toBe('line 7');
      expect(String(err.details.problem)).toMatch(problem);
      expect(err.message).toMatch(/^bytes at line 7 are not canonical JSON \(RFC 8785\): /);
    });
  }

  it('rejects a number that overflows to Infinity, naming the JSON Pointer', () => {
    const err = rejection('{"a":[1e400]}');
    expect(err.details).toEqual({
      where: 'line 7 at /a/0',
      problem: 'Infinity is not a JSON number (RFC 8785 §3.2.2.3)',
    });
  });

  it('rejects a lone surrogate written as an escape, naming the JSON Pointer (§3.2.2.2)', () => {
    expect(rejection('{"a":"\\ud800"}').details.where).toBe('line 7 at /a');
    expect(rejection('{"a":"x\\udc00"}').details.problem).toMatch(/lone surrogate U\+DC00 at index 1/);
    expect(rejection('["\\ude00\\ud83d"]').details.where).toBe('line 7 at /0');
    expect(rejection('{"\\udbff":1}').details.problem).toMatch(/property name has a lone surrogate U\+DBFF/);
  });
});

describe('parseCanonical: duplicate property names', () => {
  // JSON.parse keeps the last of two members with one name. The canonical text of the parsed value has one
  // member per name, so the byte comparison always fails for such input; these cases pin that it does, and
  // that the message names the duplicate rather than a byte offset that may sit elsewhere.
  const cases: readonly [string, string, string, number][] = [
    ['same value twice', '{"a":1,"a":1}', 'a', 7],
    ['different values, last one valid', '{"a":"x","a":1}', 'a', 9],
    ['sorted-looking duplicate', '{"a":1,"b":2,"b":2}', 'b', 13],
    ['duplicate spelled with an escape', '{"a":1,"\\u0061":2}', 'a', 7],
    ['nested object', '{"x":{"k":[1],"k":[1]}}', 'k', 14],
    ['inside an array element', '[{"k":1},{"k":1,"k":1}]', 'k', 16],
    ['__proto__ twice', '{"__proto__":1,"__proto__":1}', '__proto__', 15],
    ['after a multi-byte name', '{"é":1,"é":1}', 'é', 8],
  ];
  for (const [name, text, key, offset] of cases) {
    it(`${name}: ${text}`, () => {
      const err = rejection(text, 'receipt 0193');
      expect(err.details.where).toBe('receipt 0193');
      expect(err.details.problem).toBe(
        `duplicate property name ${JSON.stringify(key)} at byte ${offset} (JSON.parse would keep only the last)`,
      );
    });
  }

  it('a name repeated in different objects is not a duplicate', () => {
    expect(parseCanonical(bytes('[{"a":1},{"a":1}]'), 'x')).toEqual([{ a: 1 }, { a: 1 }]);
    expect(parseCanonical(bytes('{"a":{"a":"a"}}'), 'x')).toEqual({ a: { a: 'a' } });
  });
});

describe('parseCanonical: strict UTF-8 (RFC 3629)', () => {
  const cases: readonly [string, number[], number, string][] = [
    ['lone continuation byte', [0x22, 0x80, 0x22], 1, '0x80'],
    ['overlong slash (C0 AF)', [0x22, 0xc0, 0xaf, 0x22], 1, '0xc0'],
    ['overlong three-byte (E0 80 80)', [0x22, 0x61, 0xe0, 0x80, 0x80, 0x22], 2, '0xe0'],
    ['UTF-8 encoded surrogate (ED A0 80)', [0x22, 0xed, 0xa0, 0x80, 0x22], 1, '0xed'],
    ['above U+10FFFF (F4 90 80 80)', [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], 1, '0xf4'],
    ['truncated sequence', [0x22, 0xe2, 0x82, 0x22], 1, '0xe2'],
    ['Latin-1 byte', [0x22, 0xe9, 0x22], 1, '0xe9'],
    ['truncated at end of input', [0x22, 0x22, 0xf0, 0x9f], 2, '0xf0'],
  ];
  for (const [name, raw, offset, shown] of cases) {
    it(`${name} → invalid UTF-8 at byte ${offset}`, () => {
      expect(rejection(new Uint8Array(raw)).details.problem).toBe(
        `invalid UTF-8 at byte ${offset}: ${shown}`,
      );
    });
  }

  it('rejects a byte order mark', () => {
    expect(rejection(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).details.problem).toMatch(
      /byte order mark/,
    );
  });

  it('accepts every valid multi-byte form', () => {
    const text = '"é€😀\u07ff\u0800\uffff\u{10000}\u{10ffff}"';
    expect(parseCanonical(bytes(text), 'x')).toBe(JSON.parse(text));
  });
});

describe('parseCanonical: nesting', () => {
  it('accepts 512 levels and rejects 513 with the JSON Pointer, without overflowing the stack', () => {
    expect(parseCanonical(bytes('['.repeat(512) + ']'.repeat(512)), 'x')).toBeInstanceOf(Array);
    const err = rejection('['.repeat(513) + ']'.repeat(513));
    expect(err.details.problem).toBe('nested deeper than 512 levels');
    const deep = rejection('['.repeat(100000) + ']'.repeat(100000));
    expect(deep.details.problem).toBe('nested deeper than 512 levels');
  });
});
