import { execFile, spawnSync } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, type CliResult, cli, start } from "./cli.js";

/** Runs a shell script with `$TORCHLET` set to the command that runs the CLI. */
function sh(script: string): Promise<CliResult> {
  const env = { ...process.env, TORCHLET: `"${process.execPath}" "${BIN}"` };
  return new Promise((resolve) => {
    execFile("/bin/sh", ["-c", script], { encoding: "utf8", env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const freshDir = () => mkdtempSync(join(tmpdir(), "torchlet-save-"));

/** A folder holding model.json from a short run: the good file that a failed save must leave alone. */
async function folderWithModel(): Promise<{ dir: string; path: string; before: Buffer }> {
  const dir = freshDir();
  const path = join(dir, "model.json");
  expect((await cli(["train", "--epochs", "5", "--quiet", "--save", path])).code).toBe(0);
  return { dir, path, before: readFileSync(path) };
}

// --hidden 512 makes a model file of about 28 KB: larger than the room the tests leave for it.
const BIG_MODEL = "train --hidden 512 --epochs 5 --quiet";

/** Whether this system lets an unprivileged user mount a small tmpfs in a namespace of its own. */
function canMountTmpfs(): boolean {
  const dir = freshDir();
  const r = spawnSync("unshare", ["-rm", "sh", "-c", `mount -t tmpfs -o size=16k tmpfs "${dir}"`]);
  return r.status === 0;
}

describe("train --save replaces the file all at once", () => {
  it("a disk that fills up mid-write (ENOSPC, a 16 KB tmpfs) leaves the old model as it was", async (ctx) => {
    if (!canMountTmpfs()) ctx.skip();
    const { dir: goodDir, path: good } = await folderWithModel();
    const disk = join(goodDir, "disk");
    mkdirSync(disk);
    // In a mount namespace of its own: mount, put the good model there, save over it, then look.
    const inside = `
      mount -t tmpfs -o size=16k tmpfs ${disk} && cp ${good} ${disk}/model.json || exit 99
      eval "$TORCHLET ${BIG_MODEL} --save ${disk}/model.json"; echo "exit $?"
      cmp -s ${good} ${disk}/model.json && echo unchanged
      ls -A ${disk}`;
    const r = await sh(`exec unshare -rm sh -c '${inside}'`);
    expect(r.stderr.split("\n")[0]).toBe(
      `torchlet: --save: cannot write ${disk}/model.json: no space left on the disk`,
    );
    expect(r.stdout).toBe("exit 2\nunchanged\nmodel.json\n");
  });

  it("a write cut off by the file size limit (EFBIG) leaves the old model as it was, and no temporary file", async () => {
    const { dir, path, before } = await folderWithModel();
    // ulimit -f counts blocks of 512 or 1024 bytes: 2 of them are far less than the new file needs.
    const r = await sh(`ulimit -f 2 && eval "exec $TORCHLET ${BIG_MODEL} --save ${path}"`);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      `torchlet: --save: cannot write ${path}: the file is larger than the system allows`,
    );
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir)).toEqual(["model.json"]);
  });

  it("a replaced model keeps its permissions, a symbolic link keeps pointing at it, and no temporary file stays", async () => {
    const { dir, path, before } = await folderWithModel();
    chmodSync(path, 0o600);
    const link = join(dir, "link.json");
    symlinkSync(path, link);
    expect((await cli([...BIG_MODEL.split(" "), "--save", link])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(path).length).toBeGreaterThan(before.length);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(["link.json", "model.json"]);
  });
});

describe("a destination that cannot be written is refused before training", () => {
  it("a read-only disk (a tmpfs mounted read-only)", async (ctx) => {
    if (!canMountTmpfs()) ctx.skip();
    const disk = freshDir();
    const inside = `
      mount -t tmpfs -o size=16k,ro tmpfs ${disk} || exit 99
      eval "$TORCHLET train --save ${disk}/model.json"; echo "exit $?"`;
    const r = await sh(`exec unshare -rm sh -c '${inside}'`);
    // Exit code 2 and no loss line: the run never started.
    expect(r.stdout).toBe("exit 2\n");
    expect(r.stderr.split("\n")[0]).toBe(
      `torchlet: --save: cannot write ${disk}/model.json: read-only file system`,
    );
  });
});

describe("a run's output and its save", () => {
  it("a reader that leaves early (| head -2) does not cancel the save", async () => {
    const path = join(freshDir(), "model.json");
    const run = start(["train", "--epochs", "3000", "--log-every", "1", "--quiet", "--save", path]);
    await run.firstOutput();
    run.child.stdout?.destroy();
    const { code, stderr } = await run.done;
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const model = JSON.parse(readFileSync(path, "utf8")) as { training: { epochs: number } };
    expect(model.training.epochs).toBe(3000);
  });

  it("a stdout that cannot be written (> /dev/full) ends the run with exit code 1 and says why", async () => {
    const { code, stderr } = await start(["train"], openSync("/dev/full", "w")).done;
    expect(code).toBe(1);
    expect(stderr).toBe("torchlet: cannot write to stdout: no space left on the disk\n");
  });
});
