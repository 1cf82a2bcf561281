// Transpiles a crash-test child (the ledger writer by default, or another entry such as the durable host child)
// and every module it imports to plain JavaScript, once per test run, so each of the many child processes starts
// with plain `node`: about 0.3 s of CPU instead of about 1.3 s through the tsx loader, which on a two-core
// machine was most of the crash test's time. TypeScript's own single-file transpiler is used (the project
// compiles with isolatedModules and verbatimModuleSyntax, so no file needs another's types).
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WRITER = fileURLToPath(new URL('./writer.ts', import.meta.url));
/** Relative imports in the sources name the compiled file: `from './x.js'`, `import './y.js'`. */
const RELATIVE_IMPORT = /(?:from|import)\s*'(\.{1,2}\/[^']+)\.js'/g;
/** JavaScript loaded by URL at run time, such as a worker thread's script: `new URL('./w.mjs', import.meta.url)`. */
const URL_ASSET = /new URL\('(\.{1,2}\/[^']+\.m?js)',\s*import\.meta\.url\)/g;
/**
 * TypeScript named by URL, such as a worker entry that worker-bundle.ts bundles (`new URL('./w.ts', …)`):
 * compiled beside it, where the bundler takes the `.js` when there is one.
 */
const URL_MODULE = /new URL\('(\.{1,2}\/[^']+\.ts)',\s*import\.meta\.url\)/g;

/**
 * Writes the module graph of `entry` (a .ts file, default the ledger writer) as JavaScript under `outDir`;
 * returns the path of the compiled entry.
 */
export function compileWriter(outDir: string, entry: string = WRITER): string {
  const toVisit = [entry];
  const visited = new Set<string>();
  for (let file = toVisit.pop(); file !== undefined; file = toVisit.pop()) {
    if (visited.has(file)) continue;
    visited.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(RELATIVE_IMPORT)) toVisit.push(resolve(dirname(file), `${m[1]}.ts`));
    for (const m of source.matchAll(URL_ASSET)) {
      const asset = resolve(dirname(file), m[1] as string);
      const out = join(outDir, relative(REPO_ROOT, asset));
      mkdirSync(dirname(out), { recursive: true });
      copyFileSync(asset, out); // already JavaScript; a relative import in it would stop the writer, loudly
    }
    for (const m of source.matchAll(URL_MODULE)) toVisit.push(resolve(dirname(file), m[1] as string));
    const js = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    }).outputText;
    const out = join(outDir, relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  // Bare imports (pg, better-sqlite3) resolve through the project's node_modules.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(outDir, 'node_modules'));
  return join(outDir, relative(REPO_ROOT, entry)).replace(/\.ts$/, '.js');
}
