// The V8 settings a Governess service process runs with (`npm start` passes them; the ledger and durable
// benchmarks run their hosts with them). A durable step or a receipt allocates ~6-21 KB that lives only until
// its group commit answers, a few to tens of milliseconds. With V8's default 16 MiB semi-spaces a busy host
// scavenges every ~60 ms, so much of that in-flight garbage is still alive at a scavenge, gets copied, and is
// promoted to the old generation. 64 MiB spaces scavenge ~4x less often, and most of it is dead by then.
// Measured (docs/benchmarks.md, session 14): durable steps on SQLite +9% (16.1k against 14.5-14.9k/s, 84 against
// 95 µs of CPU per step), SQLite ledger appends +10-20%, for ~128 MiB more address space reserved.

/** Node options of a Governess service process, beyond what a command adds (such as `--expose-gc`). */
export const SERVICE_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=64']);
