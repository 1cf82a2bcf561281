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

/**
 * transparency-dev/merkle @ 417fb0c314750d94e53942e9f92e79b6d35915db, cmd/proofgen/main.go (inclusionProofs,
 * leaves, roots) and testonly/constants.go (LeafInputs, RootHashes): RFC 6962 inclusion proofs, hex.
 * The Go vectors number leaves from 1; `index` here is the zero-based tlog-proof index.
 */
export const TD_MERKLE_INCLUSION: readonly {
  readonly index: number;
  readonly size: number;
  readonly leafHex: string;
  readonly rootHex: string;
  readonly proofHex: readonly string[];
}[] = [
  {
    index: 0,
    size: 1,
    leafHex: '',
    rootHex: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    proofHex: [],
  },
  {
    index: 0,
    size: 8,
    leafHex: '',
    rootHex: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    proofHex: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    leafHex: '40414243',
    rootHex: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    proofHex: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    index: 2,
    size: 3,
    leafHex: '10',
    rootHex: 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    proofHex: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'],
  },
  {
    index: 1,
    size: 5,
    leafHex: '00',
    rootHex: '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    proofHex: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

/** transparency-dev/merkle @ 417fb0c3…, testonly/constants.go LeafInputs (hex), for building test trees. */
export const TD_MERKLE_LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];

/**
 * transparency-dev/formats @ 0b850f1a…, proof/tlog_proof_test.go (TestUnmarshalErrors): malformed proofs and the
 * line our parser must name. (The 65 KiB line case tests a Go scanner limit; here it is a wrong-length hash.)
 */
export const TD_BAD_PROOFS: readonly (readonly [string, string, number])[] = [
  ['missing header', 'wrong-header\nindex 0\n\ncheckpoint\n', 1],
  ['invalid extra data encoding', 'c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\ncheckpoint\n', 2],
  ['missing index', 'c2sp.org/tlog-proof@v1\n\n\ncheckpoint\n', 2],
  ['index not a number', 'c2sp.org/tlog-proof@v1\nindex notanumber\n\ncheckpoint\n', 2],
  ['index negative', 'c2sp.org/tlog-proof@v1\nindex -5\n\ncheckpoint\n', 2],
  ['invalid hash base64', 'c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\ncheckpoint\n', 3],
  ['incorrect hash length', `c2sp.org/tlog-proof@v1\nindex 0\n${'A'.repeat(88)}\n\ncheckpoint\n`, 3],
  ['very long line', `c2sp.org/tlog-proof@v1\nindex 0\n${'a'.repeat(65 * 1024)}\n`, 3],
];
