// Bundles the berth CLI into one ESM file (dist/berth.mjs): every `berth` command
// is a fresh Node process, so loading one file instead of dozens of modules is
// start-up time saved on each call (as packages/runc/bundle.mjs does).
import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { build } from 'esbuild';

/** The commit `berth version` reports; "unknown" outside a git checkout. */
function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
// Go's time.ANSIC, as docker's "Built:" line shows it.
const built = new Date().toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, (_m, d, day, mon, y, t) => `${d} ${mon} ${day.replace(/^0/, ' ')} ${t} ${y}`);

await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Written beside and renamed into place: a berth started during a rebuild
  // never reads half a file.
  outfile: 'dist/berth.mjs.tmp',
  sourcemap: false,
  logLevel: 'warning',
  define: {
    'process.env.BERTH_BUILD_COMMIT': JSON.stringify(gitCommit()),
    'process.env.BERTH_BUILD_TIME': JSON.stringify(built),
  },
  // CommonJS dependencies (commander) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
});
renameSync('dist/berth.mjs.tmp', 'dist/berth.mjs');
