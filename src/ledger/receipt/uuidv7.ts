// UUIDv7 receipt ids (RFC 9562 §5.7): 48-bit Unix milliseconds, version 7, 12-bit rand_a, variant 0b10, 62-bit
// rand_b. rand_a is a dedicated counter (RFC 9562 §6.2, Method 1) so that ids made in the same millisecond are
// strictly increasing, and ids compare (as strings and as bytes) in generation order:
//
//   - a new millisecond seeds the counter with 11 random bits, its top bit cleared (the §6.2 rollover guard), so
//     at least 2048 ids fit in every millisecond;
//   - the same millisecond, or a wall clock that stepped back, reuses the last timestamp and increments the counter;
//   - when the counter passes 0xFFF, the timestamp is moved one millisecond ahead of the actual time and the
//     counter re-seeded (§6.2 counter rollover handling), keeping the order;
//   - rand_b is fresh random for every id.
//
// Randomness comes from crypto.randomFillSync in 4 KiB blocks: one system call per ~400 ids.
import { randomFillSync } from 'node:crypto';
import { GovernessError, LedgerErrors } from '../../errors/index.js';

/** Largest unix_ts_ms a UUIDv7 can hold (48 bits). */
export const MAX_UUIDV7_MS = 2 ** 48 - 1;

/** Lower-case canonical UUIDv7: version nibble 7, variant bits 10 (first hex digit of the 4th group 8, 9, a or b). */
export const UUIDV7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** ASCII codes of the lower-case hex digits. */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = 0x2d;
const POOL_BYTES = 4096;
// At most 2 bytes of counter seed and 8 bytes of rand_b per id.
const BYTES_PER_ID = 10;
const COUNTER_MAX = 0xfff;
const SEED_MASK = 0x7ff;

/** Options of Uuidv7Generator. */
export interface Uuidv7Options {
  /** Fills a buffer with random bytes (default crypto.randomFillSync); tests pass a deterministic one. */
  readonly fillRandom?: (buffer: Uint8Array) => void;
}

/** Generates strictly increasing UUIDv7 strings; time is a parameter (pass Clock.wallNow()). */
export class Uuidv7Generator {
  private readonly pool = new Uint8Array(POOL_BYTES);
  private pos = POOL_BYTES;
  private lastMs = -1;
  private counter = 0;
  private readonly text = Buffer.alloc(36);
  private readonly fillRandom: (buffer: Uint8Array) => void;

  constructor(options: Uuidv7Options = {}) {
    this.fillRandom = options.fillRandom ?? ((buffer) => randomFillSync(buffer));
  }

  /** The next id for wall time `wallMs` (integer milliseconds since the Unix epoch). */
  next(wallMs: number): string {
    if (!Number.isSafeInteger(wallMs) || wallMs < 0 || wallMs > MAX_UUIDV7_MS) {
      throw new GovernessError(LedgerErrors.badReceipt, {
        field: 'receipt_id',
        problem: `wall time ${String(wallMs)} is not an integer millisecond count between 0 and 2^48-1`,
      });
    }
    if (this.pos + BYTES_PER_ID > POOL_BYTES) {
      this.fillRandom(this.pool);
      this.pos = 0;
    }
    if (wallMs > this.lastMs) {
      this.lastMs = wallMs;
      this.counter = this.seed();
    } else if (this.counter < COUNTER_MAX) {
      this.counter++;
    } else {
      if (this.lastMs === MAX_UUIDV7_MS) {
        throw new GovernessError(LedgerErrors.badReceipt, {
          field: 'receipt_id',
          problem: 'UUIDv7 counter exhausted at the last representable millisecond',
        });
      }
      this.lastMs++;
      this.counter = this.seed();
    }
    return this.format();
  }

  private seed(): number {
    const p = this.pool;
    const seed = (((p[this.pos] as number) << 8) | (p[this.pos + 1] as number)) & SEED_MASK;
    this.pos += 2;
    return seed;
  }

  /**
   * The id's 36 characters, written as ASCII into one reused buffer and read back as one string: a template of
   * a dozen hex pieces built a rope of ~20 strings (~0.5 KB) per id, flattened again when first read.
   */
  private format(): string {
    const p = this.pool;
    const i = this.pos;
    this.pos += 8;
    const o = this.text;
    // unix_ts_ms as 12 hex digits in two 24-bit halves (bit operations work on 32 bits).
    hexDigits(o, 0, Math.floor(this.lastMs / 0x1000000), 6);
    const low = this.lastMs % 0x1000000;
    hexDigits(o, 6, low >>> 16, 2);
    o[8] = DASH;
    hexDigits(o, 9, low & 0xffff, 4);
    o[13] = DASH;
    o[14] = 0x37; // '7': the version.
    hexDigits(o, 15, this.counter, 3);
    o[18] = DASH;
    // Octet 8: variant 0b10 in the top two bits, then the first 6 bits of rand_b (RFC 9562 §4.1, §5.7).
    hexDigits(o, 19, 0x80 | ((p[i] as number) & 0x3f), 2);
    hexDigits(o, 21, p[i + 1] as number, 2);
    o[23] = DASH;
    for (let k = 2; k < 8; k++) hexDigits(o, 20 + 2 * k, p[i + k] as number, 2);
    return o.toString('latin1', 0, 36);
  }
}

/** Writes the `count` low hex digits of `value` (count <= 6) into `out` at `at`, most significant first. */
function hexDigits(out: Buffer, at: number, value: number, count: number): void {
  for (let k = count - 1; k >= 0; k--) {
    out[at + k] = HEX_DIGITS[value & 0xf] as number;
    value >>>= 4;
  }
}

/** The unix_ts_ms of a UUIDv7 (milliseconds since the epoch), or undefined when `id` is not a canonical UUIDv7. */
export function uuidv7Timestamp(id: string): number | undefined {
  if (!UUIDV7_PATTERN.test(id)) return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
