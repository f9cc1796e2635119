/**
 * `npm run dist` (every target of this OS) and `npm run dist:dir` (the
 * unpacked app only, for a quick look): builds the bundles with electron-vite,
 * says what will and will not be signed, packages with electron-builder's API
 * and the configuration of build/electron-builder.config.ts, and writes
 * dist/build-summary.md. docs/packaging.md is the release engineer's guide.
 *
 *   node bin/run-ts.mjs build/dist.ts [--dir] [--skip-vite]
 *
 * Exit status 1, before anything is built, when the signing setup is
 * inconsistent (half an Azure setup, half of Apple's notarization variables,
 * CLINIC_DESK_REQUIRE_SIGNING without credentials) or the update URL is unsafe.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builderConfig, PRODUCT_NAME, updateFeed, type UpdateFeed } from './electron-builder.config';
import { signingBanner, signingPlan, type BuildPlatform, type Env, type SigningPlan } from './signing';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUTPUT_DIR = 'dist';
export const SUMMARY_FILE = 'build-summary.md';

export interface DistOptions {
  /** Only the unpacked app (electron-builder's `dir` target). */
  readonly dir: boolean;
  /** Package the bundles already in out/ instead of running electron-vite first. */
  readonly skipVite: boolean;
}

export function parseArgs(args: readonly string[]): DistOptions {
  const known = new Set(['--dir', '--skip-vite']);
  const unknown = args.filter((arg) => !known.has(arg));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')} (usage: build/dist.ts [--dir] [--skip-vite])`);
  return { dir: args.includes('--dir'), skipVite: args.includes('--skip-vite') };
}

export function hostPlatform(platform: NodeJS.Platform = process.platform): BuildPlatform {
  if (platform === 'win32' || platform === 'darwin' || platform === 'linux') return platform;
  throw new Error(`cannot package on ${platform}: build on Windows, macOS or Linux`);
}

/**
 * The compiled native addons in node_modules (better-sqlite3's). electron-builder's rebuild
 * recompiles them in place for Electron's ABI, after which Node.js (vitest, the CLI, the demo)
 * can no longer load them; dist puts the Node.js builds back when it is done.
 */
export function nativeAddonFiles(root: string): string[] {
  const nodeModules = join(root, 'node_modules');
  const packages: string[] = [];
  for (const name of safeList(nodeModules)) {
    if (name.startsWith('@')) for (const scoped of safeList(join(nodeModules, name))) packages.push(join(nodeModules, name, scoped));
    else packages.push(join(nodeModules, name));
  }
  return packages.flatMap((dir) =>
    safeList(join(dir, 'build', 'Release'))
      .filter((file) => file.endsWith('.node'))
      .map((file) => join(dir, 'build', 'Release', file)),
  );
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Runs `task`, then restores every file of `files` to its content from before, if it changed. */
export async function restoringFiles<T>(files: readonly string[], task: () => Promise<T>, log: (line: string) => void = () => {}): Promise<T> {
  const backup = mkdtempSync(join(tmpdir(), 'clinic-desk-addons-'));
  const saved = files.map((file, i) => {
    const copy = join(backup, `${i}-${basename(file)}`);
    copyFileSync(file, copy);
    return { file, copy };
  });
  try {
    return await task();
  } finally {
    for (const { file, copy } of saved) {
      if (!existsSync(file) || !readFileSync(file).equals(readFileSync(copy))) {
        // A failed rebuild (node-gyp's clean step) can take the whole build folder with it.
        mkdirSync(dirname(file), { recursive: true });
        copyFileSync(copy, file);
        log(`restored the Node.js build of ${relative(ROOT, file)} (rebuilt for Electron during packaging)`);
      }
    }
    rmSync(backup, { recursive: true, force: true });
  }
}

export interface Artifact {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

export function describeArtifacts(paths: readonly string[], outDir: string): Artifact[] {
  return [...new Set(paths)]
    .filter((path) => existsSync(path) && statSync(path).isFile())
    .map((path) => ({
      file: relative(outDir, path).split('\\').join('/'),
      bytes: statSync(path).size,
      sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
    }))
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** Update-feed files among the artifacts: the channel files and the blockmaps electron-updater reads. */
export function isUpdateFeedFile(file: string): boolean {
  return /(^|\/)(latest|beta|alpha)(-mac|-linux(-[a-z0-9]+)?)?\.yml$/.test(file) || file.endsWith('.blockmap');
}

export interface SummaryInput {
  readonly version: string;
  readonly platform: BuildPlatform;
  readonly dir: boolean;
  readonly plan: SigningPlan;
  readonly feed: UpdateFeed;
  readonly artifacts: readonly Artifact[];
  readonly date: Date;
}

export function buildSummary(input: SummaryInput): string {
  const { plan, feed, artifacts } = input;
  const banner = signingBanner(plan);
  const lines = [
    `# ${PRODUCT_NAME} ${input.version}: ${input.platform} ${input.dir ? 'unpacked app (--dir)' : 'release build'}`,
    '',
    `Built ${input.date.toISOString()}.`,
    '',
    '## Signing',
    '',
    ...(banner === null ? [] : ['```', banner, '```', '']),
    ...plan.summary.map((line) => `- ${line}`),
    '',
    '## Update feed',
    '',
    feed.placeholder
      ? `- app-update.yml names the PLACEHOLDER \`${feed.url}\`: desks take the feed from the admin policy (\`updates.url\`).`
      : `- app-update.yml names \`${feed.url}\`.`,
    ...feed.warnings.map((w) => `- ${w}`),
    '',
    '## Artifacts',
    '',
  ];
  if (artifacts.length === 0) {
    lines.push('None.');
  } else {
    lines.push('| file | bytes | sha256 | update feed |', '|---|---:|---|---|');
    for (const a of artifacts) lines.push(`| ${a.file} | ${a.bytes} | \`${a.sha256}\` | ${isUpdateFeedFile(a.file) ? 'yes' : ''} |`);
  }
  if (!input.dir && artifacts.length > 0) {
    lines.push(
      '',
      `Upload every file above to the update folder and, for version pinning, also to \`${input.version}/\` under it (docs/packaging.md, "Publishing an update").`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('package.json has no version');
  return pkg.version;
}

function runVite(): void {
  process.stdout.write('dist: electron-vite build\n');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal ?? 'unknown'})`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const platform = hostPlatform();
  const env: Env = process.env;
  const plan = signingPlan(env, platform);
  const feed = updateFeed(env);
  const banner = signingBanner(plan);

  process.stdout.write(`dist: ${PRODUCT_NAME} ${readVersion()} for ${platform}${options.dir ? ' (unpacked only)' : ''}\n`);
  for (const line of [...plan.summary, ...feed.warnings]) process.stdout.write(`dist: ${line}\n`);
  if (banner !== null) process.stderr.write(`\n${banner}\n\n`);
  if (plan.errors.length > 0) {
    process.exitCode = 1;
    return;
  }

  if (!options.skipVite) runVite();
  if (!existsSync(join(ROOT, 'out', 'main', 'index.js'))) throw new Error('out/main/index.js is missing: run without --skip-vite');

  const outDir = join(ROOT, OUTPUT_DIR);
  // Artifacts of an earlier build must not be mistaken for (or uploaded with) this one.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const { build } = await import('electron-builder');
  const paths = await restoringFiles(
    nativeAddonFiles(ROOT),
    () => build({ projectDir: ROOT, config: builderConfig(env), dir: options.dir, publish: 'never' }),
    (line) => process.stdout.write(`dist: ${line}\n`),
  );

  const summary = buildSummary({
    version: readVersion(),
    platform,
    dir: options.dir,
    plan,
    feed,
    artifacts: describeArtifacts(paths, outDir),
    date: new Date(),
  });
  writeFileSync(join(outDir, SUMMARY_FILE), summary);
  const ciSummary = process.env['GITHUB_STEP_SUMMARY'];
  if (ciSummary !== undefined && ciSummary !== '') appendFileSync(ciSummary, summary);
  process.stdout.write(`\n${summary}\ndist: summary written to ${join(OUTPUT_DIR, SUMMARY_FILE)}\n`);
  // Again at the very end, where a CI log is read.
  if (banner !== null) process.stderr.write(`\n${banner}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`dist: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
