import { describe, expect, it } from "vitest";
import { HAND_TUNED_LOOPS } from "../src/elementwise-loops.js";
import { ELEMENTWISE } from "../src/records/registry.js";
import { renderLoops } from "../src/records/render-js.js";

describe("op records", () => {
  it("the generated JS loops are the records' rendering (`vitest -u` rewrites them)", async () => {
    await expect(renderLoops(ELEMENTWISE, Object.keys(HAND_TUNED_LOOPS))).toMatchFileSnapshot(
      "../src/generated/elementwise-loops.ts",
    );
  });
});
