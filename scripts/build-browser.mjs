// Bundles dist/src/browser.js (built by tsc) into dist/browser/deltalake.js, one ESM file for
// pages and bundlers, with parquet-wasm's wasm copied beside it. What is loaded by a dynamic
// import (the S3 store and the AWS SDK) goes to dist/browser/chunks/, fetched only when a page
// opens an s3:// table, so pages that read http(s):// tables never download it.
//
// Node-only modules (scripts/node-only-modules.json) are replaced: by their browser twin where
// one is named, else by a stub whose every export throws UNSUPPORTED_FEATURE when used, so a
// browser reads http(s):// and s3:// tables and gets a clear error for local paths and Node streams.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { modules, browserTwins } = JSON.parse(readFileSync(path.join(root, 'scripts/node-only-modules.json'), 'utf8'));
const distSrc = path.join(root, 'dist/src');
const outDir = path.join(root, 'dist/browser');

/** `storage/local-store.ts` for dist/src/storage/local-store.js, or undefined outside dist/src. */
function relOf(file) {
  const rel = path.relative(distSrc, file).split(path.sep).join('/');
  return rel.startsWith('..') ? undefined : rel.replace(/\.js$/, '.ts');
}
const isNodeOnly = (rel) => modules.some((m) => (m.endsWith('/') ? rel.startsWith(m) : rel === m));

/** The names a module exports, read from its TypeScript source (values only: types vanish). */
function exportedValues(rel) {
  const text = readFileSync(path.join(root, 'src', rel), 'utf8');
  return [...text.matchAll(/^export\s+(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
}

const nodeOnlyPlugin = {
  name: 'node-only',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      return { errors: [{ text: `${args.importer} imports ${args.path}: only Node-only modules may, and those are stubbed` }] };
    });
    b.onResolve({ filter: /^\./ }, (args) => {
      const file = path.resolve(args.resolveDir, args.path);
      const rel = relOf(file);
      if (rel === undefined || !isNodeOnly(rel)) return undefined;
      const twin = browserTwins[rel];
      if (twin) return { path: path.join(distSrc, twin.replace(/\.ts$/, '.js')) };
      return { path: rel, namespace: 'node-only' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => {
      const names = exportedValues(args.path);
      const lines = [
        `import { DeltaError } from ${JSON.stringify(path.join(distSrc, 'errors.js'))};`,
        'const fail = (name) => { throw new DeltaError("UNSUPPORTED_FEATURE", `${name} needs Node.js (src/' + args.path + ')`, { hint: "in a browser, open tables by their http(s):// URL, or s3:// with credentials in the storage options" }); };',
        // A stand-in that throws on any use, but answers instanceof checks with false.
        'const stub = (name) => new Proxy(function () {}, { apply: () => fail(name), construct: () => fail(name), get: (_t, key) => key === Symbol.hasInstance ? () => false : key === "prototype" ? {} : fail(name) });',
        ...names.map((n) => `export const ${n} = stub(${JSON.stringify(n)});`),
      ];
      return { contents: lines.join('\n'), resolveDir: distSrc, loader: 'js' };
    });
  },
};

// The AWS SDK's browser build parses S3's XML answers with DOMParser, which Web Workers lack;
// its Node parser (plain JS, no dependencies) runs everywhere, so the S3 store works in workers too.
const sdkXmlParserPlugin = {
  name: 'sdk-xml-parser',
  setup(b) {
    b.onResolve({ filter: /^\.\/xml-parser(\.js)?$/ }, (args) => {
      if (!/[\\/]@aws-sdk[\\/]xml-builder[\\/]/.test(args.importer)) return undefined;
      return { path: path.join(path.dirname(args.importer), 'xml-parser.js') };
    });
  },
};

// A clean directory: what the package ships is exactly what this build wrote.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const result = await build({
  entryPoints: { deltalake: path.join(distSrc, 'browser.js') },
  outdir: outDir,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [nodeOnlyPlugin, sdkXmlParserPlugin],
});
copyFileSync(path.join(root, 'node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm'), path.join(outDir, 'parquet_wasm_bg.wasm'));

if (process.argv.includes('--sizes')) {
  const js = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).map((f) => path.relative(outDir, path.resolve(root, f)));
  for (const f of [...js.sort(), 'parquet_wasm_bg.wasm']) {
    const bytes = readFileSync(path.join(outDir, f));
    console.log(`${f}: ${statSync(path.join(outDir, f)).size} bytes, ${gzipSync(bytes, { level: 9 }).length} gzip`);
  }
}
