// Build dist/: consent.js (script and styles in one minified file), its .gz and .br, a
// content-hashed copy for the immutable URL, and manifest.json with the SRI hash.
// The output is ES5 syntax apart from const/let, which IE11 parses, so that IE11 reaches its notice.
// esbuild bundles and lowers the syntax; terser then compresses further (several passes, top-level
// names mangled: the bundle is one IIFE), which esbuild's single-pass minifier leaves on the table.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { minify } from 'terser';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');

const minifiedCss = {
  name: 'minified-css',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const css = await esbuild.transform(readFileSync(args.path, 'utf8'), { loader: 'css', minify: true });
      return { contents: css.code.trim(), loader: 'text' };
    });
  },
};

/** Bundle `entry` (src/) into one minified IIFE; `define`: constants replaced at build time. */
async function bundle(entry, define) {
  const result = await esbuild.build({
    entryPoints: [join(here, 'src', entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es5',
    supported: { 'const-and-let': true },
    legalComments: 'none',
    charset: 'utf8',
    plugins: [minifiedCss],
    define,
    write: false,
  });
  const terse = await minify(result.outputFiles[0].text, {
    ecma: 5, toplevel: true, compress: { passes: 3 }, mangle: true,
    format: { ascii_only: false },
  });
  return Buffer.from(terse.code);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// The preferences dialog and the contact forms (extra.js): the per-site script carries them, the
// generic script fetches them by this content-hashed, immutable name when first needed. Out of the
// generic script, which must stay under 8 KB gzip with everything the first layer needs.
const extra = await bundle('extra.js');
const extraName = `extra.${createHash('sha256').update(extra).digest('hex').slice(0, 16)}.js`;
writeFileSync(join(dist, extraName), extra);
writeFileSync(join(dist, extraName + '.gz'), gzipSync(extra, { level: 9 }));
writeFileSync(join(dist, extraName + '.br'), brotliCompressSync(extra, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
const code = await bundle('main.js', { EXTRA_FILE: JSON.stringify(extraName) });

const gz = gzipSync(code, { level: 9 });
const br = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
const integrity = 'sha384-' + createHash('sha384').update(code).digest('base64');
for (const name of ['consent.js', `consent.${hash}.js`]) {
  writeFileSync(join(dist, name), code);
  writeFileSync(join(dist, name + '.gz'), gz);
  writeFileSync(join(dist, name + '.br'), br);
}
const manifest = {
  version: 'v1',
  file: `consent.${hash}.js`,
  url: `/banner/v1/consent.${hash}.js`,
  integrity,
  bytes: code.length,
  gzip_bytes: gz.length,
  brotli_bytes: br.length,
  extra: { file: extraName, url: `/banner/v1/${extraName}`, bytes: extra.length, gzip_bytes: gzipSync(extra, { level: 9 }).length },
};
writeFileSync(join(dist, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`consent.js ${code.length} B, gzip ${gz.length} B, brotli ${br.length} B -> ${manifest.url}`);
console.log(`${extraName} ${extra.length} B, gzip ${manifest.extra.gzip_bytes} B (preferences, contact forms)`);
