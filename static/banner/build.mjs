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

const result = await esbuild.build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es5',
  supported: { 'const-and-let': true },
  legalComments: 'none',
  charset: 'utf8',
  plugins: [minifiedCss],
  write: false,
});
const terse = await minify(result.outputFiles[0].text, {
  ecma: 5, toplevel: true, compress: { passes: 3 }, mangle: true,
  format: { ascii_only: false },
});
const code = Buffer.from(terse.code);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
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
};
writeFileSync(join(dist, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`consent.js ${code.length} B, gzip ${gz.length} B, brotli ${br.length} B -> ${manifest.url}`);
