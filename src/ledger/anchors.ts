// Anchors: places outside the database where each new signed checkpoint is pushed, so that someone who can
// rewrite the database (truncate it, restore an old copy, rebuild and re-sign) is still caught: `governess
// verify --trusted` checks the database against the last anchored checkpoint (docs/ledger/verification.md).
import { appendFile, open, readFile } from 'node:fs/promises';
import { GovernessError, LedgerErrors } from '../errors/index.js';

/** Where checkpoints are published. `publish` must not resolve before the checkpoint is safely stored there. */
export interface Anchor {
  /** Short name for reports, e.g. `file:/var/anchor/checkpoints`. */
  readonly name: string;
  /** Publishes one signed checkpoint note. */
  publish(note: string): Promise<void>;
}

/** Separator between notes in an anchor file: a note never contains a form feed (control characters are refused). */
export const ANCHOR_NOTE_SEPARATOR = '\f\n';

/**
 * Appends each checkpoint note to a file (opened for append, fsynced). Point it at storage the database operator
 * cannot rewrite: a WORM mount, another machine's share, a file that is shipped elsewhere.
 */
export class FileAnchor implements Anchor {
  readonly name: string;
  constructor(readonly path: string) {
    this.name = `file:${path}`;
  }

  async publish(note: string): Promise<void> {
    await appendFile(this.path, note + ANCHOR_NOTE_SEPARATOR, { encoding: 'utf8', mode: 0o644 });
    const fh = await open(this.path, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

/** Reads the notes of an anchor file, oldest first. */
export async function readAnchorFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GovernessError(LedgerErrors.badCheckpoint, {
      where: path,
      problem: `cannot read anchor file: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
  return text.split(ANCHOR_NOTE_SEPARATOR).filter((n) => n.length > 0);
}

/** POSTs each checkpoint note (text/plain) to a URL; a non-2xx answer is a failure. */
export class WebhookAnchor implements Anchor {
  readonly name: string;
  constructor(
    readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.name = `webhook:${url}`;
  }

  async publish(note: string): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: note,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`anchor ${this.url} answered ${res.status}`);
  }
}
