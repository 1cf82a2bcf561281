// Published test vectors, copied as data with their origin. Ed25519 (RFC 8032) is deterministic, so signing the
// same text with the same seed must reproduce these exact bytes.

/**
 * golang/mod @ fe2ec04f7c3c3aa6fad97631aafcff6e49e2d1db, sumdb/note/note_test.go (TestNewSigner, TestSign,
 * TestOpen, TestNewVerifier) and the package doc in sumdb/note/note.go.
 */
export const GO_NOTE = {
  peterSignerKey: 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
  peterVerifierKey: 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  peterKeyId: 0xc74f20a3,
  enochVerifierKey: 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop',
  enochKeyId: 0xaf0cfe78,
  text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
  peterSig:
    '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
  enochSig:
    '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n',
  peterSigBase64:
    'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
  enochSigBase64:
    'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=',
  /** TestNewVerifier: wrong-length key with an adjusted key hash, and an unknown algorithm with one. */
  wrongLengthVerifierKey: 'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
  unknownAlgorithmVerifierKey: 'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
} as const;

/** golang/mod @ fe2ec04f7c3c3aa6fad97631aafcff6e49e2d1db, sumdb/tlog/note_test.go (TestFormatTree, TestParseTree). */
export const GO_TLOG_TREE = {
  /** Tree of 123456789012 leaves whose hash is tlog.RecordHash("hello world") = SHA-256(0x00 ‖ "hello world"). */
  text: 'go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n',
  size: 123456789012,
  leafData: 'hello world',
  badTrees: [
    'go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n',
    'go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n',
  ],
} as const;

/** transparency-dev/formats @ 0b850f1a7b4a5b70deeacac6535e4b8023809d21, log/note_test.go (key pairs, sumdb note). */
export const TD_FORMATS = {
  keyPairs: [
    [
      'PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ',
      'Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs',
    ],
    [
      'PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci',
      'Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH',
    ],
    [
      'PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+',
      'KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj',
    ],
    [
      'PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU',
      'Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots',
    ],
  ],
  /** A real checkpoint of the Go checksum database (TestSumDBNoteParsing); origin differs from the key name. */
  sumdbVerifierKey: 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8',
  sumdbCheckpoint:
    'go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n' +
    '\u2014 sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n',
} as const;

/** transparency-dev/formats @ 0b850f1a…, log/checkpoint_test.go (TestUnmarshalLogState invalid cases). */
export const TD_BAD_CHECKPOINTS: readonly (readonly [string, string])[] = [
  ['insufficient lines', 'Head\n9944\n'],
  ['empty header', '\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n'],
  ['missing newline on roothash', 'Log\n123\nYmFuYW5hcw=='],
  ['size not a number', 'Log\nbananas\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n'],
  ['size negative', 'Log\n-34\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n'],
  [
    'size too large',
    'Log\n3438945738945739845734895735\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n',
  ],
  ['roothash not base64', "Log\n123\nThisIsn'tBase64\n"],
];

/** C2SP/C2SP @ 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9, signed-note.md §Verifier keys, Example. */
export const C2SP_SIGNED_NOTE_EXAMPLE = {
  verifierKey: 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
  note:
    'This is an example message.\n\n' +
    '\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n',
} as const;

/**
 * C2SP/C2SP @ 5ba5ee83…, tlog-proof.md §Format example. Its signatures are elided ("[...]") in the spec, so it
 * serves only as a layout vector for parseProofFile.
 */
export const C2SP_TLOG_PROOF_EXAMPLE = [
  'c2sp.org/tlog-proof@v1',
  'extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ',
  'index 73894',
  'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=',
  'B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=',
  'EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=',
  'RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=',
  'AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=',
  '',
  'example.com/fancylog',
  '109482',
  'sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=',
  '',
  '\u2014 example.com/fancylog hI2DJw[...]1roloI=',
  '\u2014 witness1.example mJirIklj[...]qY9v2B/5bg==',
  '\u2014 witness2.example TnKKVHLX[...]xwYwrSjgow==',
  '\u2014 witness3.example S4X82uH5[...]3oEcROGLFQ==',
  '',
].join('\n');
