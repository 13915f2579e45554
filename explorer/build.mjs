// Builds the third-party half of jixiao's browser pages into dist/, which the Go binary
// embeds (package explorer): the GraphiQL IDE (graphiql, react, react-dom and Monaco's
// workers, bundled by esbuild from src/graphiql.jsx) and ECharts' own prebuilt bundle, copied
// as published. Our pages (src/*.html, *.js, *.css) are served as written and need no build.
//
//	npm ci && npm run build      (or: go generate ./explorer)
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const dist = 'dist';

// Keep dist/README.md (committed, so go:embed always finds the folder); replace the rest.
for (const name of await readdir(dist).catch(() => [])) {
  if (name !== 'README.md') await rm(join(dist, name), { recursive: true, force: true });
}
await mkdir(dist, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: 'linked',
  target: ['es2022'],
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

// The IDE: one script and one stylesheet; Monaco's fonts are inlined.
await esbuild.build({
  ...common,
  entryPoints: { graphiql: 'src/graphiql.jsx' },
  outdir: dist,
  format: 'iife',
  jsx: 'automatic',
  loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
});

// Monaco runs its language services in web workers: one bundle each, loaded by
// src/graphiql.jsx from assets/workers/.
await esbuild.build({
  ...common,
  entryPoints: {
    'workers/editor': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'workers/json': 'monaco-editor/esm/vs/language/json/json.worker.js',
    'workers/graphql': 'monaco-graphql/esm/graphql.worker.js',
  },
  outdir: dist,
  format: 'iife',
});

// ECharts ships a prebuilt browser bundle; copy it as published, with its license.
await copyFile('node_modules/echarts/dist/echarts.min.js', join(dist, 'echarts.min.js'));
await copyFile('node_modules/echarts/LICENSE', join(dist, 'echarts.LICENSE.txt'));

console.log('built dist/: graphiql.js, graphiql.css, workers/, echarts.min.js');
