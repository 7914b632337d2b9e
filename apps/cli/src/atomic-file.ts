import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * A file replaced all at once: readers see the old content or the complete new one, never a cut-off
 * mix, even when the disk fills up or the program dies mid-write. The content goes to a temporary file
 * in the destination's own folder (so that the rename stays on one file system, where it is atomic),
 * is flushed to the disk, and only then renamed over the destination.
 */
export class AtomicFile {
  /** The file written, after symbolic links: replacing a link would cut it from its target. */
  readonly target: string;
  /** The temporary file, a hidden name next to the target that no other run picks. */
  readonly temp: string;

  /** `path`: the destination as the user named it. */
  constructor(readonly path: string) {
    this.target = existsSync(path) ? realpathSync(path) : path;
    const tag = `${process.pid}.${randomBytes(4).toString("hex")}`;
    this.temp = join(dirname(this.target), `.${basename(this.target)}.${tag}.tmp`);
  }

  /** Creates and removes the temporary file: throws the system's error when the folder takes no new file. */
  probe(): void {
    closeSync(openSync(this.temp, "wx"));
    unlinkSync(this.temp);
  }

  /** Writes `content` in place of the target. On failure the target is untouched and the temporary file gone. */
  write(content: string | Uint8Array): void {
    let fd: number | undefined;
    try {
      fd = openSync(this.temp, "wx");
      // A replaced file keeps its permissions (a model kept private stays private).
      if (existsSync(this.target)) fchmodSync(fd, statSync(this.target).mode & 0o7777);
      writeFileSync(fd, content);
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(this.temp, this.target);
    } catch (error) {
      if (fd !== undefined) closeQuietly(fd);
      rmSync(this.temp, { force: true });
      throw error;
    }
    syncFolder(dirname(this.target));
  }
}

/** Flushes the folder's entry for the renamed file, so that the new name survives a power cut too. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, "r");
    fsyncSync(fd);
  } catch {
    // Some systems cannot open or flush a folder; the file's content is already on the disk.
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

/** Closes a file whose failure is already being reported: a second error would hide the first. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The first error is the one to report.
  }
}
