// The decimal numbers of C2SP tlog-checkpoint (tree size) and tlog-proof (index): ASCII digits with no leading
// zeros, except the number 0 itself. We cap them at 2^53 - 1 so they stay exact JS numbers; a log of that many
// leaves is far beyond any ledger this code will run.

/** The largest tree size or index accepted: 2^53 - 1, the largest exact JS integer. */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER;

/** Parses a canonical decimal; returns the number, or a problem description for an error message. */
export function parseCanonicalDecimal(text: string): number | { problem: string } {
  if (text === '') return { problem: 'is empty' };
  if (!/^[0-9]+$/.test(text)) return { problem: `"${text}" is not a decimal number (digits 0-9 only)` };
  if (text.length > 1 && text.startsWith('0')) return { problem: `"${text}" has a leading zero` };
  const value = Number(text);
  if (text.length > 16 || value > MAX_TREE_SIZE) {
    return { problem: `${text} is above the limit of ${MAX_TREE_SIZE} (2^53 - 1)` };
  }
  return value;
}

/** True when `value` is an integer from 0 to 2^53 - 1. */
export function isTreeSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
