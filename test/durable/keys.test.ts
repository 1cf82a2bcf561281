// gkeys are ledger ids: formatting and parsing agree with the ledger's checks and name the bad part.
import { describe, expect, it } from 'vitest';
import { formatGkey, isGkey, parseGkey } from '../../src/durable/index.js';
import { ledgerId } from '../../src/ledger/index.js';
import { expectRefusal } from './refusal.js';

describe('gkeys', () => {
  it('formats the ledger id and parses it back', () => {
    const parts = { kind: 'quota', sku: 'sku-1', tenant: 'acme:eu' };
    const gkey = formatGkey(parts);
    expect(gkey).toBe(ledgerId('quota', 'sku-1', 'acme:eu'));
    expect(gkey).toBe('quota/sku-1/acme:eu');
    expect(parseGkey(gkey)).toEqual(parts);
    expect(isGkey(gkey)).toBe(true);
  });

  it.each([
    ['quota/sku-1', 'has 2 part(s)'],
    ['quota/a/b/c', 'has 4 part(s)'],
    ['Quota/sku/t', 'governor'],
    ['quota//t', 'sku_id'],
    ['quota/sku/t t', 'tenant_id'],
  ])('refuses %s, naming the problem', (bad, problem) => {
    expectRefusal(() => parseGkey(bad), 'gkey');
    expect(() => parseGkey(bad)).toThrow(problem);
    expect(isGkey(bad)).toBe(false);
  });

  it('refuses a non-string and names the caller’s field', () => {
    expectRefusal(() => parseGkey(42, 'target'), 'target');
    expect(isGkey(undefined)).toBe(false);
  });

  it('refuses to format a part holding a slash', () => {
    expectRefusal(() => formatGkey({ kind: 'quota', sku: 'a/b', tenant: 't' }), 'gkey');
  });
});
