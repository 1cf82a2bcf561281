// RFC 8785 against published data: the cyberphone reference test files, RFC 8785 Appendix B (number
// serialization samples), the §3.2.3 sorting example, and the reference ES6 number test file regenerated
// from its published recipe and checked against its published SHA-256.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalize, parseCanonical } from '../../../src/ledger/canonical/index.js';
import { GovernessError } from '../../../src/errors/index.js';

const VECTORS = new URL('./vectors/cyberphone/', import.meta.url);
const NAMES = ['arrays', 'french', 'structures', 'unicode', 'values', 'weird'];

function vector(name: string, kind: 'in' | 'out' | 'hex'): Buffer {
  return readFileSync(new URL(`${name}.${kind}.txt`, VECTORS));
}

/** The IEEE 754 double whose big-endian bit pattern is `hex` (how RFC 8785 Appendix B lists them). */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('cyberphone/json-canonicalization testdata', () => {
  for (const name of NAMES) {
    it(`${name}: input canonicalizes to the expected output, byte for byte`, () => {
      const expected = vector(name, 'out');
      const actual = canonicalBytes(JSON.parse(vector(name, 'in').toString('utf8')));
      expect(Buffer.from(actual).equals(expected)).toBe(true);
      // outhex holds the same bytes in hex: a second, independent statement of the expected bytes.
      const hex = vector(name, 'hex').toString('utf8').split(/\s+/).filter(Boolean).join('');
      expect(Buffer.from(actual).toString('hex')).toBe(hex);
    });

    it(`${name}: the expected output is accepted as canonical and the input is not`, () => {
      const expected = vector(name, 'out');
      expect(parseCanonical(expected, name)).toEqual(JSON.parse(expected.toString('utf8')));
      expect(() => parseCanonical(vector(name, 'in'), name)).toThrow(GovernessError);
    });
  }
});

describe('RFC 8785 Appendix B: number serialization samples', () => {
  // RFC 8785 Appendix B table (IEEE 754 bits → JSON text); the same rows are the first entries of the
  // cyberphone numgen.js static list.
  const rows: readonly (readonly [string, string])[] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];

  for (const [hex, text] of rows) {
    it(`${hex} → ${text}`, () => {
      expect(canonicalize(double(hex))).toBe(text);
      expect(canonicalize({ n: [double(hex)] })).toBe(`{"n":[${text}]}`);
    });
  }

  it('NaN (7fffffffffffffff) and Infinity (7ff0000000000000) are errors, naming where they are', () => {
    for (const hex of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalize({ a: [1, double(hex)] })).toThrow(/bytes at \/a\/1 are not canonical/);
    }
  });
});

describe('RFC 8785 §3.2.3: sorting by UTF-16 code units', () => {
  it('sorts the RFC example: U+1F600 (D83D DE00) before U+FB33, unlike a code-point sort', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const text = canonicalize(input);
    expect(text).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });
});

describe('cyberphone numgen: ES6 number serialization file, regenerated', () => {
  // The first IEEE 754 values of the test file, from testdata/numgen.js (cyberphone/json-canonicalization,
  // commit 19d51d7), as big-endian hex bit patterns.
  const NUMGEN_STATIC = [
    '0000000000000000',
    '8000000000000000',
    '0000000000000001',
    '8000000000000001',
    'c46696695dbd1cc3',
    'c43211ede4974a35',
    'c3fce97ca0f21056',
    'c3c7213080c1a6ac',
    'c39280f39a348556',
    'c35d9b1f5d20d557',
    'c327af4c4a80aaac',
    'c2f2f2a36ecd5556',
    'c2be51057e155558',
    'c28840d131aaaaac',
    'c253670dc1555557',
    'c21f0b4935555557',
    'c1e8d5d42aaaaaac',
    'c1b3de4355555556',
    'c17fca0555555556',
    'c1496e6aaaaaaaab',
    'c114585555555555',
    'c0e046aaaaaaaaab',
    'c0aa0aaaaaaaaaaa',
    'c074d55555555555',
    'c040aaaaaaaaaaab',
    'c00aaaaaaaaaaaab',
    'bfd5555555555555',
    'bfa1111111111111',
    'bf6b4e81b4e81b4f',
    'bf35d867c3ece2a5',
    'bf0179ec9cbd821e',
    'becbf647612f3696',
    'be965e9f80f29212',
    'be61e54c672874db',
    'be2ca213d840baf8',
    'bdf6e80fe033c8c6',
    'bdc2533fe68fd3d2',
    'bd8d51ffd74c861c',
    'bd5774ccac3d3817',
    'bd22c3d6f030f9ac',
    'bcee0624b3818f79',
    'bcb804ea293472c7',
    'bc833721ba905bd3',
    'bc4ebe9c5db3c61e',
    'bc18987d17c304e5',
    'bbe3ad30dfcf371d',
    'bbaf7b816618582f',
    'bb792f9ab81379bf',
    'bb442615600f9499',
    'bb101e77800c76e1',
    'bad9ca58cce0be35',
    'baa4a1e0a3e6fe90',
    'ba708180831f320d',
    'ba3a68cd9e985016',
    '446696695dbd1cc3',
    '443211ede4974a35',
    '43fce97ca0f21056',
    '43c7213080c1a6ac',
    '439280f39a348556',
    '435d9b1f5d20d557',
    '4327af4c4a80aaac',
    '42f2f2a36ecd5556',
    '42be51057e155558',
    '428840d131aaaaac',
    '4253670dc1555557',
    '421f0b4935555557',
    '41e8d5d42aaaaaac',
    '41b3de4355555556',
    '417fca0555555556',
    '41496e6aaaaaaaab',
    '4114585555555555',
    '40e046aaaaaaaaab',
    '40aa0aaaaaaaaaaa',
    '4074d55555555555',
    '4040aaaaaaaaaaab',
    '400aaaaaaaaaaaab',
    '3fd5555555555555',
    '3fa1111111111111',
    '3f6b4e81b4e81b4f',
    '3f35d867c3ece2a5',
    '3f0179ec9cbd821e',
    '3ecbf647612f3696',
    '3e965e9f80f29212',
    '3e61e54c672874db',
    '3e2ca213d840baf8',
    '3df6e80fe033c8c6',
    '3dc2533fe68fd3d2',
    '3d8d51ffd74c861c',
    '3d5774ccac3d3817',
    '3d22c3d6f030f9ac',
    '3cee0624b3818f79',
    '3cb804ea293472c7',
    '3c833721ba905bd3',
    '3c4ebe9c5db3c61e',
    '3c18987d17c304e5',
    '3be3ad30dfcf371d',
    '3baf7b816618582f',
    '3b792f9ab81379bf',
    '3b442615600f9499',
    '3b101e77800c76e1',
    '3ad9ca58cce0be35',
    '3aa4a1e0a3e6fe90',
    '3a708180831f320d',
    '3a3a68cd9e985016',
    '4024000000000000',
    '4014000000000000',
    '3fe0000000000000',
    '3fa999999999999a',
    '3f747ae147ae147b',
    '3f40624dd2f1a9fc',
    '3f0a36e2eb1c432d',
    '3ed4f8b588e368f1',
    '3ea0c6f7a0b5ed8d',
    '3e6ad7f29abcaf48',
    '3e35798ee2308c3a',
    '3ed539223589fa95',
    '3ed4ff26cd5a7781',
    '3ed4f95a762283ff',
    '3ed4f8c60703520c',
    '3ed4f8b72f19cd0d',
    '3ed4f8b5b31c0c8d',
    '3ed4f8b58d1c461a',
    '3ed4f8b5894f7f0e',
    '3ed4f8b588ee37f3',
    '3ed4f8b588e47da4',
    '3ed4f8b588e3849c',
    '3ed4f8b588e36bb5',
    '3ed4f8b588e36937',
    '3ed4f8b588e368f8',
    '3ed4f8b588e368f1',
    '3ff0000000000000',
    'bff0000000000000',
    'bfeffffffffffffa',
    'bfeffffffffffffb',
    '3feffffffffffffa',
    '3feffffffffffffb',
    '3feffffffffffffc',
    '3feffffffffffffe',
    'bfefffffffffffff',
    'bfefffffffffffff',
    '3fefffffffffffff',
    '3fefffffffffffff',
    '3fd3333333333332',
    '3fd3333333333333',
    '3fd3333333333334',
    '0010000000000000',
    '000ffffffffffffd',
    '000fffffffffffff',
    '7fefffffffffffff',
    'ffefffffffffffff',
    '4340000000000000',
    'c340000000000000',
    '4430000000000000',
    '44b52d02c7e14af5',
    '44b52d02c7e14af6',
    '44b52d02c7e14af7',
    '444b1ae4d6e2ef4e',
    '444b1ae4d6e2ef4f',
    '444b1ae4d6e2ef50',
    '3eb0c6f7a0b5ed8c',
    '3eb0c6f7a0b5ed8d',
    '41b3de4355555553',
    '41b3de4355555554',
    '41b3de4355555555',
    '41b3de4355555556',
    '41b3de4355555557',
    'becbf647612f3696',
    '43143ff3c1cb0959',
  ];

  /**
   * The value sequence of testdata/README.md: the static list, then 0x0010000000000000 + i for i < 2000, then
   * the doubles read (little-endian, as Float64Array does on the machines the file was made on) from a
   * SHA-256 chain that starts at 32 zero bytes, skipping 0 and non-finite values.
   */
  function* values(): Generator<[bigint, number]> {
    const view = new DataView(new ArrayBuffer(8));
    const bits = (u: bigint): [bigint, number] => {
      view.setBigUint64(0, u);
      return [u, view.getFloat64(0)];
    };
    for (const hex of NUMGEN_STATIC) yield bits(BigInt(`0x${hex}`));
    for (let i = 0n; i < 2000n; i++) yield bits(0x0010000000000000n + i);
    let block: Buffer = Buffer.alloc(32);
    for (;;) {
      block = createHash('sha256').update(block).digest();
      for (let at = 0; at < 32; at += 8) {
        const u = block.readBigUInt64LE(at);
        const [, f] = bits(u);
        if (f !== 0 && Number.isFinite(f)) yield [u, f];
      }
    }
  }

  /** SHA-256 of the first `lines` lines `hex-ieee,expected\n`, with `expected` written by our canonicalizer. */
  function fileHash(lines: number): string {
    const hash = createHash('sha256');
    let n = 0;
    for (const [u, f] of values()) {
      if (n++ === lines) break;
      hash.update(`${u.toString(16)},${canonicalize(f)}\n`);
    }
    return hash.digest('hex');
  }

  it('the first 1,000 lines hash to the published be18b62b…', () => {
    expect(fileHash(1000)).toBe('be18b62b6f69cdab33a7e0dae0d9cfa869fda80ddc712221570f9f40a5878687');
  });

  it('the first 10,000 lines hash to the published b9f7a8e7…', () => {
    expect(fileHash(10000)).toBe('b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892');
  });
});

describe('RFC 8785 §3.2.2 example and its §3.2.4 UTF-8 bytes', () => {
  it('a JavaScript value built as in the RFC gives the published bytes (cyberphone values.hex)', () => {
    const input = {
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false],
    };
    const hex = vector('values', 'hex').toString('utf8').split(/\s+/).filter(Boolean).join('');
    expect(Buffer.from(canonicalBytes(input)).toString('hex')).toBe(hex);
  });
});
