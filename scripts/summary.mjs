#!/usr/bin/env node
// Prints the suite's closing line, `N passed, M failed`, from the JSON report vitest wrote.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(new URL("../.test-results/vitest.json", import.meta.url), "utf8"));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(report.numFailedTests === 0 && report.success ? 0 : 1);
