/** Indents every line after the first (PyTorch's `_addindent`), for nesting a child's repr. */
export function addIndent(text: string, spaces: number): string {
  const [first, ...rest] = text.split("\n");
  if (rest.length === 0) return text;
  const pad = " ".repeat(spaces);
  return [first, ...rest.map((line) => pad + line)].join("\n");
}

/** Python's spelling of a value in an `extra_repr`. */
export function py(value: boolean | number | string): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

/** Python's spelling of an int or a pair: `2` or `(3, 2)`. */
export function pyPair(value: number | readonly [number, number]): string {
  return typeof value === "number" ? String(value) : `(${value[0]}, ${value[1]})`;
}
