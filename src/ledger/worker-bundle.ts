// Worker threads do not inherit the loader that runs this TypeScript (tsx's register() in bin/governess.mjs,
// vitest's transform), and loading a module graph through tsx in each new thread costs ~0.3 s of CPU (its hooks
// thread transpiles every file again). So a worker's entry module is bundled once per process by esbuild — the
// transpiler tsx itself uses — into one plain JavaScript module with everything it imports, handed to the thread
// as a data: URL: the thread loads a single module with no loader, no hooks thread and no file reads
// (docs/ledger/verification.md, "Worker threads"). The verification workers and the PostgreSQL writer thread
// start this way.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const bundles = new Map<string, URL>();

/**
 * The data: URL of `entry` (a worker module's URL, `.ts`; the `.js` beside it is used when compiled) bundled
 * with everything it imports, made on first use and kept for the process.
 */
export function bundledWorker(entry: URL): URL {
  let url = bundles.get(entry.href);
  if (url === undefined) {
    const compiled = new URL(entry.href.replace(/\.ts$/, '.js'));
    const file = fileURLToPath(existsSync(compiled) ? compiled : entry);
    const out = buildSync({
      entryPoints: [file],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      // CommonJS packages in the bundle (pg) call require() for node's built-ins and their optional peers; an
      // ES module has none, and a data: URL resolves nothing, so one is made that resolves from the entry file.
      banner: {
        js: `import { createRequire as __govCreateRequire } from 'node:module'; const require = __govCreateRequire(${JSON.stringify(file)});`,
      },
    });
    const code = out.outputFiles[0]?.text;
    if (code === undefined) throw new Error(`esbuild produced no bundle for ${file}`);
    url = new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    bundles.set(entry.href, url);
  }
  return url;
}
