/** The system's reason without the stack: "no such file or directory" rather than an Error dump. */
export function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EISDIR") return "it is a folder";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    if (code === "EROFS") return "read-only file system";
    if (code === "ENOSPC" || code === "EDQUOT") return "no space left on the disk";
    if (code === "EFBIG") return "the file is larger than the system allows";
    return error.message;
  }
  return String(error);
}
