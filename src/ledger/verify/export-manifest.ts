// Reading an export's manifest.json field by field, so that a damaged or edited manifest is refused with the
// field named (GOV_EXPORT_INVALID, `manifest.json field <name>`) instead of surfacing later as a confusing
// checkpoint or frontier error. Fields this build does not know are ignored and listed, so a newer writer's
// additions do not make an export unverifiable.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import type { ExportManifest } from '../ledger.js';

const FORMAT = 'governess.export/v1';
const KNOWN = new Set([
  'format',
  'origin',
  'from',
  'to',
  'checkpoint',
  'verifier_key',
  'frontier_at_from',
  'previous',
  'files',
]);

/** A parsed manifest and the names of the fields it had that this build ignores. */
export interface ParsedManifest {
  readonly manifest: ExportManifest;
  readonly ignored: readonly string[];
}

function bad(where: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.badExport, { where, problem });
}

/** Parses manifest text; `where` names the file (default `manifest.json`). */
export function parseExportManifest(text: string, where = 'manifest.json'): ParsedManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw bad(where, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(where, 'must be a JSON object');
  }
  const m = value as Record<string, unknown>;
  const field = (name: string): string => `${where} field ${name}`;
  if (m['format'] !== FORMAT) {
    throw bad(field('format'), `is ${JSON.stringify(m['format'])}, this build reads ${FORMAT}`);
  }
  const text_ = (name: string): string => {
    const v = m[name];
    if (typeof v !== 'string' || v === '') throw bad(field(name), 'must be a non-empty string');
    return v;
  };
  const count = (name: string): number => {
    const v = m[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw bad(field(name), `must be an integer of at least 0, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const origin = text_('origin');
  const from = count('from');
  const to = count('to');
  if (from > to) throw bad(field('from'), `${from} is after to (${to})`);
  const checkpoint = text_('checkpoint');
  const verifierKey = text_('verifier_key');
  const frontier = m['frontier_at_from'];
  if (typeof frontier !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(frontier)) {
    throw bad(field('frontier_at_from'), 'must be lower-case hex bytes');
  }
  if ((from === 0) !== (frontier === '')) {
    throw bad(
      field('frontier_at_from'),
      from === 0 ? 'must be empty when from is 0' : `is empty but from is ${from}`,
    );
  }
  const files = m['files'];
  if (
    files !== undefined &&
    (typeof files !== 'object' ||
      files === null ||
      (files as Record<string, unknown>)['receipts'] !== 'receipts.jsonl')
  ) {
    throw bad(field('files'), 'must be {"receipts": "receipts.jsonl"}');
  }
  return {
    manifest: {
      format: FORMAT,
      origin,
      from,
      to,
      checkpoint,
      verifier_key: verifierKey,
      frontier_at_from: frontier,
      previous: parsePrevious(m['previous'], field('previous')),
      files: { receipts: 'receipts.jsonl' },
    },
    ignored: Object.keys(m).filter((k) => !KNOWN.has(k)),
  };
}

function parsePrevious(value: unknown, where: string): ExportManifest['previous'] {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw bad(where, 'must be null or {"checkpoint", "consistency_proof"}');
  }
  const p = value as Record<string, unknown>;
  if (typeof p['checkpoint'] !== 'string' || p['checkpoint'] === '') {
    throw bad(`${where}.checkpoint`, 'must be a signed checkpoint note');
  }
  const proof = p['consistency_proof'];
  if (!Array.isArray(proof)) throw bad(`${where}.consistency_proof`, 'must be an array of base64 hashes');
  proof.forEach((h, i) => {
    if (typeof h !== 'string') throw bad(`${where}.consistency_proof[${i}]`, 'must be a base64 string');
  });
  return { checkpoint: p['checkpoint'], consistency_proof: proof as string[] };
}
