#!/usr/bin/env node
// The whole test suite, as `npm test` / `pnpm test` run it: install (bootstrap), build, then lint and
// typecheck every package and run every vitest project. Lint and typecheck failures count as failed
// checks in the closing line `N passed, M failed`, so one red step never hides the test results.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit", env }).status ?? 1;

function finish(passed, failed, notes) {
  for (const note of notes) console.log(note);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

if (run(process.execPath, [join(root, "scripts", "bootstrap.mjs")]) !== 0) finish(0, 1, ["install failed"]);
const turbo = [bin("turbo"), "run", "--output-logs=errors-only"];
if (run(turbo[0], [...turbo.slice(1), "build"]) !== 0) finish(0, 1, ["build failed: no tests were run"]);

const notes = [];
let failedChecks = 0;
for (const task of ["lint", "typecheck"]) {
  if (run(turbo[0], [...turbo.slice(1), task, "--continue"]) !== 0) {
    failedChecks++;
    notes.push(`${task} failed (counted as one failure)`);
  }
}

const report = join(root, ".test-results", "vitest.json");
rmSync(report, { force: true });
run(bin("vitest"), ["run"]);
if (!existsSync(report)) finish(0, failedChecks + 1, [...notes, "vitest wrote no report"]);
const r = JSON.parse(readFileSync(report, "utf8"));
const failed = r.numFailedTests + (r.success || r.numFailedTests > 0 ? 0 : 1) + failedChecks;
finish(r.numPassedTests, failed, notes);
