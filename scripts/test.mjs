#!/usr/bin/env node
// The whole test suite, as `npm test` / `pnpm test` run it: install (bootstrap), build, then lint and
// typecheck every package and run every vitest project. Lint and typecheck failures count as failed
// checks in the closing line `N passed, M failed`, so one red step never hides the test results.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bootstrap, root, run } from "./bootstrap.mjs";
import { withSoftwareGpu } from "./software-gpu.mjs";

function finish(passed, failed, notes) {
  for (const note of notes) console.log(note);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

const env = bootstrap();
const turbo = (...args) => run(env, "turbo", ["run", "--output-logs=errors-only", ...args]);
if (turbo("build") !== 0) finish(0, 1, ["build failed: no tests were run"]);

const notes = [];
let failedChecks = 0;
for (const task of ["lint", "typecheck"]) {
  if (turbo(task, "--continue") !== 0) {
    failedChecks++;
    notes.push(`${task} failed (counted as one failure)`);
  }
}

const report = join(root, ".test-results", "vitest.json");
rmSync(report, { force: true });
// The webgpu tests run on SwiftShader where chromium provides it, and skip, saying why, where nothing does.
run(withSoftwareGpu(env), "vitest", ["run"]);
if (!existsSync(report)) finish(0, failedChecks + 1, [...notes, "vitest wrote no report"]);
const r = JSON.parse(readFileSync(report, "utf8"));
const failed = r.numFailedTests + (r.success || r.numFailedTests > 0 ? 0 : 1) + failedChecks;
finish(r.numPassedTests, failed, notes);
