// The durable side tables register with a real store and carry the due index the scanner needs.
import { describe, expect, it } from 'vitest';
import { DURABLE_TABLES, GOVERNORS_TABLE } from '../../src/durable/index.js';
import { MemoryStore } from '../../src/ledger/index.js';

describe('durable tables', () => {
  it('are accepted by the store contract', () => {
    const store = new MemoryStore();
    for (const t of DURABLE_TABLES) store.defineTable(t);
    expect(DURABLE_TABLES.map((t) => t.name)).toEqual([
      'durable_governors',
      'durable_replies',
      'durable_outbox',
    ]);
  });

  it('index governors by next_due_ms, only those with a timer', () => {
    expect(GOVERNORS_TABLE.primaryKey).toEqual(['gkey']);
    expect(GOVERNORS_TABLE.indexes).toEqual([
      { name: 'durable_governors_due', columns: ['next_due_ms', 'gkey'], whereNotNull: 'next_due_ms' },
    ]);
    expect(GOVERNORS_TABLE.columns.next_due_ms).toBe('integer');
    expect(GOVERNORS_TABLE.columns.snapshot).toBe('blob');
  });
});
