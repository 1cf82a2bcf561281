// Regression (found by the model test, test/durable/model.test.ts): a cast to a passive governor was delivered
// after its activation had been awaited; another governor activated in between, over maxActive, could passivate
// it in that gap (nothing pinned it yet), and the cast went to a process that was gone: dropped, its sender
// never answered, the host never idle again.
import { describe, expect, it } from 'vitest';
import { openDurableOrSkip, STORE_KINDS } from '../support/durable.js';
import { counter } from './counter.js';

const A = 'counter/s/a';
const B = 'counter/s/b';

describe.each(STORE_KINDS)('cast delivery on %s', (kind) => {
  it('a cast is not lost when activating another governor over maxActive evicts its target', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter], maxActive: 1 });
    await f.host.call(A, { type: 'add', n: 1 });
    await f.host.call(B, { type: 'add', n: 1 });
    f.host.passivateAll();
    const [ack, total] = await Promise.all([
      f.host.cast(A, { type: 'bump', by: 2 }),
      f.host.call(B, { type: 'add', n: 1 }),
    ]);
    expect(ack).toMatchObject({ gkey: A, duplicate: false });
    expect(total).toBe(2);
    const got = (await f.host.call(A, { type: 'get' })) as { data: { total: number; casts: number } };
    expect(got.data).toMatchObject({ total: 3, casts: 1 });
  }, 10_000);
});
