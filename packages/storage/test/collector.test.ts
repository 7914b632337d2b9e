import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { nodeCollector } from "../src/collector.js";

// Node's collector (collector.ts): a full collection on demand and finalization callbacks run at
// once, through V8 flags turned on for one new context only.

describe("nodeCollector", () => {
  it("runs the callbacks of collected targets synchronously after a collection", () => {
    const collector = nodeCollector();
    expect(collector).not.toBeNull();
    const seen: number[] = [];
    const registry = collector?.registry<number>((held) => seen.push(held));
    (() => {
      registry?.register({}, 1);
      registry?.register({}, 2);
    })();
    const kept = {};
    registry?.register(kept, 3);
    collector?.collect();
    registry?.cleanupSome();
    expect(seen.sort()).toEqual([1, 2]);
    expect(kept).toBeDefined();
  });

  it("leaves the flags it turned on off for every later context", () => {
    nodeCollector();
    expect("cleanupSome" in FinalizationRegistry.prototype).toBe(false);
    expect(vm.runInNewContext("'cleanupSome' in FinalizationRegistry.prototype")).toBe(false);
  });
});
