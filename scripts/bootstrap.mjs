#!/usr/bin/env node
// Makes a fresh clone usable with only Node and npm: installs the pinned pnpm (from package.json's
// "packageManager") into .tools/ unless that exact version is already on PATH, then installs the
// workspace from the committed lockfile. Safe to run repeatedly: a no-op install takes a second or two.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];

function pnpmOnPath() {
  const r = spawnSync("pnpm", ["--version"], { encoding: "utf8", shell: process.platform === "win32" });
  return r.status === 0 && r.stdout.trim() === pinned ? "pnpm" : null;
}

function localPnpm() {
  const bin = join(root, ".tools", "node_modules", ".bin", process.platform === "win32" ? "pnpm.cmd" : "pnpm");
  if (!existsSync(bin)) {
    console.error(`bootstrap: installing pnpm@${pinned} into .tools/`);
    execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", join(root, ".tools"), `pnpm@${pinned}`], {
      stdio: ["ignore", "ignore", "inherit"],
      shell: process.platform === "win32",
    });
  }
  return bin;
}

const pnpm = pnpmOnPath() ?? localPnpm();
const install = spawnSync(pnpm, ["install", "--frozen-lockfile", "--reporter=silent"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, npm_config_update_notifier: "false" },
});
if (install.status !== 0) process.exit(install.status ?? 1);
