import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerErrors } from '../../../src/errors/index.js';
import {
  addSignatures,
  generateSigner,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type NoteVerifier,
} from '../../../src/ledger/checkpoint/index.js';
import { expectGovernessError } from './expect-error.js';
import { C2SP_SIGNED_NOTE_EXAMPLE, GO_NOTE } from './golden-vectors.js';

const peterSigner = parseSignerKey(GO_NOTE.peterSignerKey);
const peter = parseVerifierKey(GO_NOTE.peterVerifierKey);
const enoch = parseVerifierKey(GO_NOTE.enochVerifierKey);
const { text, peterSig, enochSig } = GO_NOTE;
const peterSignature = { name: 'PeterNeumann', keyId: GO_NOTE.peterKeyId, base64: GO_NOTE.peterSigBase64 };
const enochSignature = { name: 'EnochRoot', keyId: GO_NOTE.enochKeyId, base64: GO_NOTE.enochSigBase64 };
/** Line of the first signature in Go's two-line note: 2 text lines, then the blank line. */
const SIG_LINE = 4;

describe('golden notes from golang/mod sumdb/note (TestSign, TestOpen)', () => {
  it("signs to Go's exact bytes", () => {
    expect(signNote(text, [peterSigner])).toBe(`${text}\n${peterSig}`);
  });

  it('verifies the known signature and ignores the unknown one', () => {
    const opened = openNote(`${text}\n${peterSig}${enochSig}`, [peter]);
    expect(opened.text).toBe(text);
    expect(opened.verified).toEqual([peterSignature]);
    expect(opened.unverified).toEqual([enochSignature]);
  });

  it('verifies both when both keys are known', () => {
    const opened = openNote(`${text}\n${peterSig}${enochSig}`, [peter, enoch]);
    expect(opened.verified).toEqual([peterSignature, enochSignature]);
    expect(opened.unverified).toEqual([]);
  });

  it('rejects a note with no known key, listing the signatures found', () => {
    expectGovernessError(
      () => openNote(`${text}\n${peterSig}${enochSig}`, []),
      LedgerErrors.badSignature,
      'note',
      /no signature by a known key \(signed by PeterNeumann\+c74f20a3, EnochRoot\+af0cfe78; known keys: none\)/,
    );
  });

  it('drops repeated signatures and keeps distinct unknown ones', () => {
    const enochAltered = `${enochSig.slice(0, 60)}ABCD${enochSig.slice(60)}`;
    const opened = openNote(`${text}\n${peterSig}${peterSig}${enochSig}${enochSig}${enochAltered}`, [peter]);
    expect(opened.verified).toEqual([peterSignature]);
    expect(opened.unverified).toHaveLength(2);
    expect(opened.unverified[0]).toEqual(enochSignature);
  });

  it('rejects an altered signature by a known key, naming its line', () => {
    expectGovernessError(
      () => openNote(`${text}\n${peterSig.slice(0, 60)}ABCD${peterSig.slice(60)}`, [peter]),
      LedgerErrors.badSignature,
      `note line ${SIG_LINE}`,
      /known key PeterNeumann\+c74f20a3 does not verify/,
    );
  });

  it('rejects more than 100 signature lines, naming the first line over the limit', () => {
    expectGovernessError(
      () => openNote(`${text}\n${peterSig.repeat(101)}`, [peter]),
      LedgerErrors.badSignature,
      `note line ${SIG_LINE + 100}`,
      /101 signature lines, over the limit of 100/,
    );
    expect(openNote(`${text}\n${peterSig.repeat(100)}`, [peter]).verified).toHaveLength(1);
  });

  it.each([
    ['text only', text, 'note', /no blank line/],
    ['no signature lines', `${text}\n`, 'note line 3', /no signature lines/],
    [
      'last line without newline',
      `${text}\n${peterSig.slice(0, -1)}`,
      'note line 4',
      /must end with a newline/,
    ],
    ['control character', `\u0001${text}\n${peterSig}`, 'note line 1', /column 1: control character U\+0001/],
    [
      'bad name in signature line',
      `${text}\n\u2014 Bad Name ${GO_NOTE.peterSigBase64}\n`,
      'note line 4',
      /U\+0020|base64/,
    ],
    ['unexpected line after signatures', `${text}\n${peterSig}Unexpected line.\n`, 'note line 5', /em dash/],
  ])("rejects Go's malformed note: %s", (_label, note, where, problem) => {
    expectGovernessError(() => openNote(note, [peter]), LedgerErrors.badSignature, where, problem);
  });

  it("rejects Go's invalid-UTF-8 note (0xff), naming line and byte", () => {
    const note = Buffer.concat([Buffer.of(0xff), Buffer.from(`${text}\n${peterSig}`)]);
    expectGovernessError(
      () => openNote(note, [peter]),
      LedgerErrors.badSignature,
      'note line 1',
      /column 1: byte 0xff starts invalid UTF-8/,
    );
  });
});

describe('golden note from the C2SP signed-note spec', () => {
  it('opens with the example verifier key', () => {
    const opened = openNote(C2SP_SIGNED_NOTE_EXAMPLE.note, [
      parseVerifierKey(C2SP_SIGNED_NOTE_EXAMPLE.verifierKey),
    ]);
    expect(opened.text).toBe('This is an example message.\n');
    expect(opened.verified.map((s) => s.name)).toEqual(['example.com/foo']);
  });
});

describe('sign and open', () => {
  const key = generateSigner('ledger.example/log');
  const other = generateSigner('ledger.example/log'); // same name, another key ID

  /** Note texts: any well-formed, control-free lines (empty lines included), ending with a newline. */
  const noteText = fc
    .array(
      fc.string({ unit: 'grapheme', maxLength: 40 }).filter((line) => !/[\u0000-\u001f]/.test(line)),
      { minLength: 1, maxLength: 6 },
    )
    .map((lines) => `${lines.join('\n')}\n`);

  it('round-trips any text, also as bytes (property)', () => {
    fc.assert(
      fc.property(noteText, (body) => {
        const note = signNote(body, [key.signer]);
        const opened = openNote(note, [key.verifier]);
        expect(opened.text).toBe(body);
        expect(opened.verified).toHaveLength(1);
        expect(openNote(new TextEncoder().encode(note), [key.verifier]).text).toBe(body);
      }),
      { numRuns: 200 },
    );
  });

  it('detects any change to one character of the text (property)', () => {
    fc.assert(
      fc.property(noteText, fc.nat(), (body, at) => {
        const note = signNote(body, [key.signer]);
        const chars = Array.from(body); // code points, so a surrogate pair is replaced whole
        if (chars.length < 2) return;
        const i = at % (chars.length - 1); // keep the final newline
        if (chars[i] === '\n') return;
        chars[i] = chars[i] === 'x' ? 'y' : 'x';
        const tampered = `${chars.join('')}${note.slice(body.length)}`;
        expectGovernessError(() => openNote(tampered, [key.verifier]), LedgerErrors.badSignature, /^note/);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps texts with inner blank lines and a byte-order mark', () => {
    const body = '\ufeffhead\n\n\u2014 not a signature\n\nlast\n';
    const note = signNote(body, [key.signer]);
    expect(openNote(note, [key.verifier]).text).toBe(body);
    expect(openNote(Buffer.from(note), [key.verifier]).text).toBe(body);
  });

  it('rejects a note signed only by another key with the same name, pointing at the key ID', () => {
    const note = signNote('hello\n', [other.signer]);
    expectGovernessError(
      () => openNote(note, [key.verifier]),
      LedgerErrors.badSignature,
      'note',
      /signature by ledger\.example\/log has key ID [0-9a-f]{8}, not that of the known key/,
    );
  });

  it('rejects a note signed by a wrong key under the known name and key ID', () => {
    const forged = signNote('hello\n', [other.signer]).replace(
      /\u2014 (\S+) (\S+)\n$/,
      (_m, name: string, b64: string) => {
        const raw = Buffer.from(b64, 'base64');
        raw.writeUInt32BE(key.signer.keyId, 0);
        return `\u2014 ${name} ${raw.toString('base64')}\n`;
      },
    );
    expectGovernessError(
      () => openNote(forged, [key.verifier]),
      LedgerErrors.badSignature,
      'note line 3',
      /does not verify/,
    );
  });

  it('verifies every signature line of a known key, not just the first', () => {
    const note = signNote('hello\n', [key.signer]);
    const sigLine = note.slice('hello\n\n'.length);
    const bad = sigLine.replace(/.{6}=\n$/, 'AAAAAA=\n');
    expectGovernessError(
      () => openNote(`${note}${bad}`, [key.verifier]),
      LedgerErrors.badSignature,
      'note line 4',
    );
  });

  it.each([
    ['tampered text', (n: string) => n.replace('hello', 'hallo'), 'note line 3', /does not verify/],
    [
      'tampered signature',
      (n: string) =>
        n.replace(/(.)(.{4}=\n)$/, (_m, c: string, rest: string) => `${c === 'A' ? 'B' : 'A'}${rest}`),
      'note line 3',
      /does not verify/,
    ],
    [
      'CRLF line endings',
      (n: string) => n.replace(/\n/g, '\r\n'),
      'note line 1',
      /column 6: control character U\+000D \(carriage return; lines must end with LF only/,
    ],
    ['tab in text', (n: string) => `\t${n}`, 'note line 1', /U\+0009 \(tab\)/],
    ['lone surrogate', (n: string) => `a\ud800${n}`, 'note line 1', /column 2: lone UTF-16 surrogate/],
    ['missing final newline', (n: string) => n.slice(0, -1), 'note line 3', /must end with a newline/],
    [
      'hyphens instead of em dash',
      (n: string) => n.replace('\u2014', '--'),
      'note line 3',
      /em dash \(U\+2014\)/,
    ],
    [
      'no space after the name',
      (n: string) => n.replace(/(\u2014 \S+) /, '$1'),
      'note line 3',
      /no space between/,
    ],
    [
      'two spaces after the name',
      (n: string) => n.replace(/(\u2014 \S+) /, '$1  '),
      'note line 3',
      /U\+0020/,
    ],
    [
      'short signature',
      (n: string) => n.replace(/\u2014 (\S+) (\S+)\n$/, '\u2014 $1 AAAAAA==\n'),
      'note line 3',
      /4 bytes; it needs a 4-byte key ID and a signature/,
    ],
    [
      'empty key name',
      (n: string) => n.replace(/\u2014 (\S+) /, '\u2014  '),
      'note line 3',
      /key name is empty/,
    ],
  ])('rejects %s', (_label, mutate, where, problem) => {
    const note = signNote('hello\n', [key.signer]);
    expectGovernessError(
      () => openNote(mutate(note), [key.verifier]),
      LedgerErrors.badSignature,
      where,
      problem,
    );
  });

  it('rejects URL-safe base64 in a signature line', () => {
    // Go's golden signature, not a fresh one: a random signature holds no '+' or '/' about 1 time in 20, and
    // then the URL-safe form is identical to the standard one and verifies.
    const urlSafe = peterSig.replace(/\+/g, '-').replace(/\//g, '_');
    expect(urlSafe).not.toBe(peterSig);
    expectGovernessError(
      () => openNote(`${text}\n${urlSafe}`, [peter]),
      LedgerErrors.badSignature,
      `note line ${SIG_LINE}`,
      /base64/,
    );
  });

  it('reports lines relative to the enclosing file', () => {
    const note = signNote('hello\n', [key.signer]).replace('hello', 'hallo');
    expectGovernessError(
      () => openNote(note, [key.verifier], { where: 'proof file', firstLine: 9 }),
      LedgerErrors.badSignature,
      'proof file line 11',
    );
  });

  it('accepts at least 16 signatures and honours a lower limit', () => {
    const signers = Array.from({ length: 16 }, (_, i) => generateSigner(`witness${i}`).signer);
    const note = signNote('hello\n', [key.signer, ...signers]);
    expect(openNote(note, [key.verifier]).unverified).toHaveLength(16);
    expectGovernessError(
      () => openNote(note, [key.verifier], { maxSignatures: 5 }),
      LedgerErrors.badSignature,
      'note line 8',
      /17 signature lines, over the limit of 5/,
    );
  });

  it('refuses an ambiguous verifier list but tolerates the same key twice', () => {
    const note = signNote('hello\n', [key.signer]);
    expect(openNote(note, [key.verifier, key.verifier]).verified).toHaveLength(1);
    const impostor: NoteVerifier = { ...other.verifier, keyId: key.verifier.keyId, verify: () => true };
    expectGovernessError(
      () => openNote(note, [key.verifier, impostor]),
      LedgerErrors.badKey,
      'verifier list',
    );
  });

  it('refuses to sign bad texts or without signers', () => {
    expectGovernessError(
      () => signNote('abc', [key.signer]),
      LedgerErrors.badSignature,
      'note text line 1',
      /end with a newline/,
    );
    expectGovernessError(
      () => signNote('a\r\n', [key.signer]),
      LedgerErrors.badSignature,
      'note text line 1',
      /U\+000D/,
    );
    expectGovernessError(
      () => signNote('a\n', []),
      LedgerErrors.badSignature,
      'note text',
      /at least one signer/,
    );
    const badSigner = { ...key.signer, name: 'bad name' };
    expectGovernessError(() => signNote('a\n', [badSigner]), LedgerErrors.badKey, 'signer "bad name"');
  });
});

describe('addSignatures (key rotation)', () => {
  const oldKey = generateSigner('ledger.example/log');
  const callerDedupes = generateSigner('ledger.example/log');

  it('adds a second signature line that either key set can verify', () => {
    const note = addSignatures(signNote('tree\n', [oldKey.signer]), [callerDedupes.signer]);
    expect(note.split('\n').filter((l) => l.startsWith('\u2014 '))).toHaveLength(2);
    expect(openNote(note, [oldKey.verifier]).verified).toHaveLength(1);
    expect(openNote(note, [callerDedupes.verifier]).verified).toHaveLength(1);
    expect(openNote(note, [oldKey.verifier, callerDedupes.verifier]).verified).toHaveLength(2);
    expect(note).toBe(signNote('tree\n', [oldKey.signer, callerDedupes.signer]));
  });

  it('replaces an existing signature by the same key', () => {
    const note = signNote('tree\n', [oldKey.signer]);
    expect(addSignatures(note, [oldKey.signer])).toBe(note);
  });

  it('keeps unknown signature lines verbatim and checks the layout', () => {
    const note = `${text}\n${enochSig}`;
    expect(addSignatures(note, [peterSigner])).toBe(`${text}\n${enochSig}${peterSig}`);
    expectGovernessError(
      () => addSignatures(text, [peterSigner]),
      LedgerErrors.badSignature,
      'note',
      /no blank line/,
    );
  });
});
