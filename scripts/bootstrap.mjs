#!/usr/bin/env node
// Makes a fresh clone usable with only Node and npm: installs the pinned pnpm (from package.json's
// "packageManager") into .tools/ unless that exact version is already on PATH, then installs the
// workspace from the committed lockfile. Safe to run repeatedly: a no-op install takes a second or two.
// `bootstrap()` returns the environment the workspace's tools need: turbo looks pnpm up on PATH, so
// .tools/ and node_modules/.bin go in front of it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const toolsBin = join(root, ".tools", "node_modules", ".bin");
const windows = process.platform === "win32";

function pnpmOnPath() {
  const r = spawnSync("pnpm", ["--version"], { encoding: "utf8", shell: windows });
  return r.status === 0 && r.stdout.trim() === pinned;
}

function installLocalPnpm() {
  if (existsSync(join(toolsBin, windows ? "pnpm.cmd" : "pnpm"))) return;
  console.error(`bootstrap: installing pnpm@${pinned} into .tools/`);
  const args = [
    "install",
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--prefix",
    join(root, ".tools"),
    `pnpm@${pinned}`,
  ];
  execFileSync("npm", args, { stdio: ["ignore", "ignore", "inherit"], shell: windows });
}

/** Installs what is missing and returns `process.env` with the workspace's tools on PATH. */
export function bootstrap() {
  const usable = pnpmOnPath();
  if (!usable) installLocalPnpm();
  const env = {
    ...process.env,
    PATH: [...(usable ? [] : [toolsBin]), join(root, "node_modules", ".bin"), process.env.PATH].join(
      delimiter,
    ),
    TURBO_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
    npm_config_update_notifier: "false",
  };
  const install = spawnSync("pnpm", ["install", "--frozen-lockfile", "--reporter=silent"], {
    cwd: root,
    stdio: "inherit",
    env,
    shell: windows,
  });
  if (install.status !== 0) process.exit(install.status ?? 1);
  return env;
}

/** Runs a command in the workspace root with the tools' environment; returns its exit status. */
export function run(env, command, args, cwd = root) {
  return spawnSync(command, args, { cwd, stdio: "inherit", env, shell: windows }).status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) bootstrap();
