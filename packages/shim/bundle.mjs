// Bundles the shim into one ESM file (dist/berth-shim.mjs): one process per
// container, so start-up time and memory matter (../../shared/design.md, "Shim
// and restart model"); one file instead of ~150 modules loads faster and keeps
// less code in memory.
import { renameSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * @berth/runc finds its native addon relative to its own module
 * (import.meta.url of dist/native/core.js). Bundled, that module's URL would be
 * this bundle's: point it back at runc's dist, relative to the bundle so the
 * tree stays relocatable.
 */
const runcAddonPath = {
  name: 'runc-addon-path',
  setup(b) {
    b.onLoad({ filter: /[\\/]runc[\\/]dist[\\/]native[\\/]core\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      const replaced = text.replaceAll('import.meta.url', "new URL('../../runc/dist/native/core.js', import.meta.url).href");
      if (replaced === text) throw new Error(`${args.path}: import.meta.url not found; update bundle.mjs`);
      return { contents: replaced, loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  outfile: 'dist/berth-shim.mjs.tmp',
  sourcemap: false,
  minify: false,
  // Loaded only if a channelz or ORCA service were served (never): keeps protobufjs out.
  external: ['@grpc/proto-loader'],
  logLevel: 'warning',
  plugins: [runcAddonPath],
  // CommonJS dependencies (grpc-js) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
});
// Written beside and renamed into place: a shim started during a rebuild never reads half a file.
renameSync('dist/berth-shim.mjs.tmp', 'dist/berth-shim.mjs');
