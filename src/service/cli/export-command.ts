// `governess export`: writes the CSV projection of a ledger database for finance tools. The CSV is NOT
// verifiable (its first line says so); the verifiable form is the JSONL export (`Ledger.export`), checked with
// `governess verify`. Exit 0: written. Exit 2: wrong usage, or the database or file could not be used.
import { parseArgs } from 'node:util';
import { exportCsv, parseTimestamp, type ReceiptFilter } from '../../ledger/index.js';
import type { CliIo } from './io.js';
import { existingStoreFromArgument } from './open-store.js';

/** Usage of the export command. */
export const EXPORT_USAGE = [
  'usage: governess export --db sqlite:PATH|postgres://URL[#schema] --csv FILE [filters]',
  '  --csv          write the NON-VERIFIABLE CSV projection to FILE (replaced if it exists)',
  '  --ledger ID    governor/sku_id/tenant_id      --tenant ID    --sku ID    --governor KIND',
  '  --status accept|refuse                       --reason-code CODE',
  '  --from TIME    receipts with ts >= TIME      --to TIME      receipts with ts < TIME',
  '                 (TIME: 2026-11-23 or 2026-11-23T10:00:00.000Z, UTC)',
  'The verifiable export is Ledger.export (receipts.jsonl + manifest.json), checked with governess verify.',
].join('\n');

/** Runs `governess export`; resolves with the exit code. */
export async function runExport(args: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        db: { type: 'string' },
        csv: { type: 'string' },
        ledger: { type: 'string' },
        tenant: { type: 'string' },
        sku: { type: 'string' },
        governor: { type: 'string' },
        status: { type: 'string' },
        'reason-code': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err));
  }
  if (values.help === true) {
    io.out(EXPORT_USAGE);
    return 0;
  }
  if (values.db === undefined || values.csv === undefined) return usage(io, 'give --db and --csv');
  const status = values.status;
  if (status !== undefined && status !== 'accept' && status !== 'refuse') {
    return usage(io, `--status must be accept or refuse, not ${JSON.stringify(status)}`);
  }
  let filter: ReceiptFilter;
  try {
    filter = {
      ...(values.ledger === undefined ? {} : { ledger: values.ledger }),
      ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
      ...(values.sku === undefined ? {} : { sku: values.sku }),
      ...(values.governor === undefined ? {} : { governor: values.governor }),
      ...(status === undefined ? {} : { status }),
      ...(values['reason-code'] === undefined ? {} : { reasonCode: values['reason-code'] }),
      ...(values.from === undefined ? {} : { fromMs: timeArgument('--from', values.from) }),
      ...(values.to === undefined ? {} : { toMs: timeArgument('--to', values.to) }),
    };
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err));
  }
  try {
    const store = await existingStoreFromArgument(values.db);
    try {
      const state = await store.open();
      const result = await exportCsv(store, values.csv, filter, { end: state.size });
      io.out(JSON.stringify({ csv: values.csv, rows: result.rows, log_size: result.end, verifiable: false }));
      io.err(`wrote ${result.rows} receipts to ${values.csv} (a non-verifiable projection)`);
      return 0;
    } finally {
      await store.close();
    }
  } catch (err) {
    io.err(`governess export: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}

/** Epoch ms of `2026-11-23` (midnight UTC) or a receipt timestamp `2026-11-23T10:00:00.000Z`. */
function timeArgument(flag: string, text: string): number {
  const ms = parseTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00.000Z` : text);
  if (ms === undefined) {
    throw new Error(`${flag} ${JSON.stringify(text)}: expected 2026-11-23 or 2026-11-23T10:00:00.000Z`);
  }
  return ms;
}

function usage(io: CliIo, message: string): number {
  io.err(`governess export: ${message}`);
  io.err(EXPORT_USAGE);
  return 2;
}
