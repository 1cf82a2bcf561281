import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AllErrors, GovernessError, RuntimeErrors } from '../../src/errors/index.js';

/** Parses the `| code | status | message |` table of docs/errors.md. */
function documentedErrors(): Map<string, { status: number; message: string }> {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, { status: number; message: string }>();
  for (const line of text.split('\n')) {
    const m = /^\|\s*`(GOV_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|\s*(.+?)\s*\|$/.exec(line);
    if (m) rows.set(m[1]!, { status: Number(m[2]), message: m[3]!.replace(/\\\|/g, '|') });
  }
  return rows;
}

describe('error registry', () => {
  it('every registered code is documented in docs/errors.md with the same status and message', () => {
    const docs = documentedErrors();
    for (const spec of AllErrors) {
      expect(docs.get(spec.code), spec.code).toEqual({ status: spec.status, message: spec.message });
    }
  });

  it('docs/errors.md documents no code that is not registered', () => {
    const codes = new Set(AllErrors.map((e) => e.code));
    for (const code of documentedErrors().keys()) expect(codes.has(code), code).toBe(true);
  });

  it('renders details into the message and keeps them structured', () => {
    const err = new GovernessError(RuntimeErrors.callTimeout, { target: 'gov-1', timeoutMs: 50 });
    expect(err.message).toBe('call to gov-1 timed out after 50 ms');
    expect(err.code).toBe('GOV_CALL_TIMEOUT');
    expect(err.status).toBe(504);
    expect(GovernessError.is(err, RuntimeErrors.callTimeout)).toBe(true);
    expect(GovernessError.is(err, RuntimeErrors.noProc)).toBe(false);
  });
});
