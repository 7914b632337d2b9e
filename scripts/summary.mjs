#!/usr/bin/env node
// Prints the suite's closing line, `N passed, M failed`, from the JSON report vitest wrote.
// Without a report (the build, lint or typecheck failed before the tests ran) it says so and fails.
import { existsSync, readFileSync } from "node:fs";

const path = new URL("../.test-results/vitest.json", import.meta.url);
if (!existsSync(path)) {
  console.log("no test report: the build, lint or typecheck step failed before the tests ran");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const report = JSON.parse(readFileSync(path, "utf8"));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(report.numFailedTests === 0 && report.success ? 0 : 1);
