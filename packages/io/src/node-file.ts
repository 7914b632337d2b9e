import { TorchletError } from "@torchlet/storage";

type NodeFs = typeof import("node:fs");
type NodePath = typeof import("node:path");

/**
 * Node's `fs` and `path`, reached through `process.getBuiltinModule` (Node >= 20.16) so that the
 * package imports no Node built-in and bundles for browsers unchanged; there, paths are refused.
 */
function node(op: string): { fs: NodeFs; path: NodePath } {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  if (typeof get !== "function") {
    throw new TorchletError(
      `${op}: a file path needs Node.js >= 20.16; elsewhere pass the bytes (a Uint8Array or ArrayBuffer)`,
    );
  }
  return { fs: get("node:fs") as NodeFs, path: get("node:path") as NodePath };
}

/** The bytes of the file at `path`. */
export function readFileBytes(op: string, path: string): Uint8Array {
  const { fs } = node(op);
  try {
    const buffer = fs.readFileSync(path);
    // A plain Uint8Array view: Buffer's own methods (slice) share memory where Uint8Array's copy.
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw new TorchletError(`${op}: cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Writes `bytes` to `target` without ever leaving it half-written: into a temporary file in the same
 * directory, flushed to disk, then renamed over `target`. On any failure the temporary file is
 * removed and whatever `target` held before is untouched.
 */
export function writeFileAtomic(op: string, target: string, bytes: Uint8Array): void {
  const { fs, path } = node(op);
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, "wx");
    for (let written = 0; written < bytes.length; ) {
      written += fs.writeSync(fd, bytes, written, bytes.length - written);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (error) {
    try {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(temp, { force: true });
    } catch {
      // The write's own error is the one worth reporting.
    }
    throw new TorchletError(`${op}: cannot write ${target}: ${(error as Error).message}`);
  }
}
