// The snapshot codec: canonical bytes, exact round trip (fast-check), reply targets tagged, bad values named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSnapshot,
  encodeSnapshot,
  type DurableSnapshot,
  type ReplyCodec,
} from '../../src/durable/index.js';
import { canonicalize } from '../../src/ledger/canonical/index.js';
import { ReplyTarget } from '../../src/runtime/index.js';
import { expectRefusal } from './refusal.js';

/** A reply target that only remembers its tag. */
class TaggedReply extends ReplyTarget {
  constructor(readonly tag: string) {
    super();
  }
  deliverReply(): void {}
}

const replies: ReplyCodec = {
  encode: (t) => (t as TaggedReply).tag,
  decode: (tag) => new TaggedReply(tag),
};

const storable = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.string().filter((k) => k !== '$reply' && k !== '__proto__'),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

const event = fc.oneof(
  fc.record({ type: fc.constantFrom('cast', 'info', 'internal'), content: storable }),
  fc.record({ type: fc.constant('state_timeout'), content: storable }),
);

const bytesOf = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('snapshot codec', () => {
  it('round-trips any storable snapshot to equal data and canonical bytes', () => {
    fc.assert(
      fc.property(
        storable,
        storable,
        fc.array(event, { maxLength: 3 }),
        fc.array(event, { maxLength: 3 }),
        fc.nat(),
        (state, data, queue, postponed, timerGen) => {
          const snap = { state: state ?? 'idle', data, queue, postponed, timerGen };
          const bytes = encodeSnapshot(snap);
          const back = decodeSnapshot(bytes);
          expect(back).toEqual(snap);
          expect(Buffer.from(bytes).toString('utf8')).toBe(canonicalize(back));
          expect(encodeSnapshot(back)).toEqual(bytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes the fields of the design, in canonical order', () => {
    const bytes = encodeSnapshot({
      state: 'open',
      data: { b: 1, a: [true] },
      queue: [],
      postponed: [],
      timerGen: 7,
    });
    expect(Buffer.from(bytes).toString('utf8')).toBe(
      '{"data":{"a":[true],"b":1},"postponed":[],"queue":[],"state":"open","timerGen":7}',
    );
  });

  it('tags reply targets in data and queued calls and brings them back', () => {
    const from = new TaggedReply('quota/s/t|k1');
    const snap = {
      state: 'open',
      data: { waiting: [from] },
      queue: [
        { type: 'call', call: 'ping', request: { type: 'ping' }, from: new TaggedReply('quota/s/t|k2') },
      ] as DurableSnapshot['queue'],
      postponed: [],
      timerGen: 0,
    };
    const bytes = encodeSnapshot(snap, replies);
    expect(Buffer.from(bytes).toString('utf8')).toContain('{"$reply":"quota/s/t|k1"}');
    const back = decodeSnapshot(bytes, replies);
    const waiting = (back.data as { waiting: TaggedReply[] }).waiting;
    expect(waiting[0]).toBeInstanceOf(TaggedReply);
    expect(waiting[0]?.tag).toBe('quota/s/t|k1');
    expect(back.queue[0]).toMatchObject({ type: 'call', from: { tag: 'quota/s/t|k2' } });
  });

  it.each([
    [{ items: [1, 2, 3, undefined] }, 'snapshot.data.items[3]'],
    [{ price: 1.5 }, 'snapshot.data.price'],
    [{ 'a b': 2n }, 'snapshot.data["a b"]'],
    [{ when: new Map() }, 'snapshot.data.when'],
    [{ $reply: 'x' }, 'snapshot.data.$reply'],
    [{ from: new TaggedReply('x') }, 'snapshot.data.from'],
    [{ s: 'a\ud800' }, 'snapshot.data.s'],
    [{ deep: [{ n: 2 ** 60 }] }, 'snapshot.data.deep[0].n'],
  ])('refuses an unstorable value and names its path (%#)', (data, field) => {
    expectRefusal(
      () => encodeSnapshot({ state: 'open', data, queue: [], postponed: [], timerGen: 0 }),
      field,
    );
  });

  it('stores -0 as 0 and leaves out enumerable properties inherited from Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      const bytes = encodeSnapshot({ state: 's', data: { z: -0 }, queue: [], postponed: [], timerGen: 0 });
      expect(Buffer.from(bytes).toString('utf8')).toContain('"data":{"z":0}');
      expect(Buffer.from(bytes).toString('utf8')).not.toContain('polluted');
    } finally {
      delete proto.polluted;
    }
  });

  it('refuses a cycle instead of overflowing the stack', () => {
    const data: Record<string, unknown> = {};
    data.self = data;
    expect(() => encodeSnapshot({ state: 's', data, queue: [], postponed: [], timerGen: 0 })).toThrow(
      /cycle/,
    );
  });

  it.each([
    ['[]', 'snapshot'],
    ['{"data":1,"postponed":[],"queue":[],"state":"s"}', 'snapshot.timerGen'],
    ['{"data":1,"extra":0,"postponed":[],"queue":[],"state":"s","timerGen":0}', 'snapshot.extra'],
    ['{"data":1,"postponed":[],"queue":[],"state":"s","timerGen":-1}', 'snapshot.timerGen'],
    ['{"data":1,"postponed":[],"queue":{},"state":"s","timerGen":0}', 'snapshot.queue'],
    [
      '{"data":1,"postponed":[],"queue":[{"type":"nope"}],"state":"s","timerGen":0}',
      'snapshot.queue[0].type',
    ],
    [
      '{"data":1,"postponed":[{"type":"call"}],"queue":[],"state":"s","timerGen":0}',
      'snapshot.postponed[0].from',
    ],
    ['{"data":{"x":0.5},"postponed":[],"queue":[],"state":"s","timerGen":0}', 'snapshot.data.x'],
    ['{"data":{"$reply":"a"},"postponed":[],"queue":[],"state":"s","timerGen":0}', 'snapshot.data'],
  ])('decode refuses %s naming %s', (text, field) => {
    expectRefusal(() => decodeSnapshot(bytesOf(text)), field);
  });

  it('decode refuses bytes that are not canonical', () => {
    const text = '{"state":"s","data":1,"queue":[],"postponed":[],"timerGen":0}';
    expect(() => decodeSnapshot(bytesOf(text))).toThrow(
      expect.objectContaining({ code: 'GOV_NOT_CANONICAL' }),
    );
  });
});
