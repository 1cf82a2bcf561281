// Size and cost of a verify state file (docs/ledger/verification.md, "State size"): builds the state a run over
// N ledgers would save, then measures its bytes, writing it (format + atomic write), reading it back (read +
// parse) and resuming from it (signature, frontier and heads into the verifier).
//   npx tsx bench/ledger-verify-state.ts [ledgers...]      default 10000 100000 1000000
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateSigner,
  LogVerifier,
  readVerifyStateFile,
  writeVerifyStateFile,
} from '../src/ledger/index.js';
import { signCheckpoint } from '../src/ledger/checkpoint/index.js';
import { CompactRange, leafHash } from '../src/ledger/merkle/index.js';
import { resumeFrom } from '../src/ledger/verify/resume.js';
import { VERIFY_STATE_FORMAT, type SavedHead, type VerifyState } from '../src/ledger/verify/state-file.js';

const key = generateSigner('bench.example/receipts');

/** A state over `ledgers` ledgers with ids shaped like real ones (`quota/sku-0042/tenant-0012345`). */
function syntheticState(ledgers: number): VerifyState {
  const tree = CompactRange.empty();
  for (let i = 0; i < 1000; i++) tree.append(leafHash(randomBytes(64)));
  const checkpoint = signCheckpoint(
    { origin: key.signer.name, size: tree.size, rootHash: tree.root() },
    key.signer,
  );
  const heads: SavedHead[] = [];
  const hash = randomBytes(32 * 1024);
  for (let i = 0; i < ledgers; i++) {
    const h = hash.subarray((i % 1024) * 32, (i % 1024) * 32 + 32).toString('hex');
    const sku = String(i % 5000).padStart(4, '0');
    heads.push([`quota/sku-${sku}/tenant-${String(i).padStart(7, '0')}`, 1 + (i % 100_000), h]);
  }
  return {
    format: VERIFY_STATE_FORMAT,
    origin: key.signer.name,
    key_hash: key.verifierKey.split('+')[1]!,
    checkpoint,
    size: tree.size,
    frontier: Buffer.from(tree.toBytes()).toString('hex'),
    last_ts_ms: 1_790_000_000_000,
    start: 0,
    heads,
    // No private receipts: the heads dominate a state's size (docs/ledger/verification.md, "State size").
    privates: [],
    erased: [],
  };
}

async function measure(ledgers: number, dir: string): Promise<string> {
  const state = syntheticState(ledgers);
  const file = join(dir, `state-${ledgers}.json`);
  let t = performance.now();
  await writeVerifyStateFile(file, state);
  const writeMs = performance.now() - t;
  const bytes = statSync(file).size;
  t = performance.now();
  const read = await readVerifyStateFile(file);
  const readMs = performance.now() - t;
  t = performance.now();
  const resume = resumeFrom(read!, [key.verifier], file);
  new LogVerifier(resume.verifier);
  const resumeMs = performance.now() - t;
  const mb = (bytes / 1e6).toFixed(1);
  return `| ${ledgers.toLocaleString('en-US')} | ${mb} MB | ${Math.round(bytes / ledgers)} | ${Math.round(writeMs)} ms | ${Math.round(readMs)} ms | ${Math.round(resumeMs)} ms |`;
}

const sizes = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'gov-state-bench-'));
try {
  console.log('| ledgers | file | bytes/ledger | write (format + fsync) | read + parse | resume |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of sizes.length > 0 ? sizes : [10_000, 100_000, 1_000_000]) console.log(await measure(n, dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
