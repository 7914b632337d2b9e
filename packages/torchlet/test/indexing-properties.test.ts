import fc from "fast-check";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";

// Property tests of the indexing, joining and by-dim ops on random shapes (empty dims included),
// random dims and indices (negative where the op allows them), against naive references that read
// each element through its multi-index.

type Nested = number | Nested[];

function at(nested: Nested, index: readonly number[]): number {
  let v = nested;
  for (const k of index) v = (v as Nested[])[k] as Nested;
  return v as number;
}

const count = (shape: readonly number[]) => shape.reduce((n, s) => n * s, 1);

/** Builds a nested array of `shape` from a function of the multi-index. */
function build(shape: readonly number[], f: (index: number[]) => number): number[] {
  return Array.from({ length: count(shape) }, (_, i) => f(torch.unravelIndex(i, shape)));
}

/** A tensor of `shape` with distinct values, possibly as a transposed (non-contiguous) view. */
function distinct(shape: readonly number[], transposed: boolean): torch.Tensor {
  if (!transposed || shape.length < 2) {
    return torch.arange(count(shape)).reshape([...shape]);
  }
  const swapped = [...shape].reverse();
  return torch
    .arange(count(shape))
    .reshape(swapped)
    .permute(shape.map((_, d) => shape.length - 1 - d));
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 });

/** A shape, a dim of it (negative half of the time) and whether the input is a transposed view. */
const caseArb = shapeArb.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    dim: fc.integer({ min: -shape.length, max: shape.length - 1 }),
    transposed: fc.boolean(),
  }),
);

const norm = (dim: number, ndim: number) => (dim < 0 ? dim + ndim : dim);

describe("indexing against a naive reference", () => {
  it("gather reads input[..., index[i], ...] for index shapes within the input's", () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
        fc.nat(),
        (c, sizes, seed) => {
          const d = norm(c.dim, c.shape.length);
          const size = c.shape[d] as number;
          const indexShape = c.shape.map((s, k) =>
            k === d ? (size === 0 ? 0 : (sizes[k] as number)) : Math.min(s, sizes[k] as number),
          );
          const data = build(indexShape, (ix) => ix.reduce((a, b) => a * 7 + b, seed) % Math.max(size, 1));
          const index = torch.tensor(data, { dtype: "int64" }).reshape(indexShape);
          const x = distinct(c.shape, c.transposed);
          const nested = x.tolist() as Nested;
          const out = x.gather(c.dim, index);
          expect(out.shape).toEqual(indexShape);
          const want = build(indexShape, (ix) =>
            at(
              nested,
              ix.map((v, k) => (k === d ? at(index.tolist() as Nested, ix) : v)),
            ),
          );
          expect(out.flatten().tolist()).toEqual(want);
        },
      ),
    );
  });

  it("indexSelect picks whole slices, repeats and empty index lists included", () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.nat(), { maxLength: 5 }), fc.boolean(), (c, picks, int32) => {
        const d = norm(c.dim, c.shape.length);
        const size = c.shape[d] as number;
        const list = size === 0 ? [] : picks.map((p) => p % size);
        const x = distinct(c.shape, c.transposed);
        const nested = x.tolist() as Nested;
        const out = x.indexSelect(c.dim, torch.tensor(list, { dtype: int32 ? "int32" : "int64" }));
        const shape = c.shape.map((s, k) => (k === d ? list.length : s));
        expect(out.shape).toEqual(shape);
        const want = build(shape, (ix) =>
          at(
            nested,
            ix.map((v, k) => (k === d ? (list[v] as number) : v)),
          ),
        );
        expect(out.flatten().tolist()).toEqual(want);
      }),
    );
  });

  it("scatterAdd adds every source element at its index (repeats accumulate)", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, seed) => {
        const d = norm(c.dim, c.shape.length);
        const size = c.shape[d] as number;
        const indexShape = c.shape.map((s, k) => (k === d && size > 0 ? s + 1 : s));
        const idx = build(indexShape, (ix) => (size === 0 ? 0 : ix.reduce((a, b) => a * 5 + b, seed) % size));
        const index = torch.tensor(idx, { dtype: "int64" }).reshape(indexShape);
        const src = torch.arange(count(indexShape)).add(1).reshape(indexShape);
        const x = distinct(c.shape, c.transposed);
        const want = x.flatten().tolist() as number[];
        idx.forEach((target, i) => {
          const ix = torch.unravelIndex(i, indexShape);
          ix[d] = target;
          const flat = ix.reduce((a, v, k) => a * (c.shape[k] as number) + v, 0);
          want[flat] = (want[flat] as number) + i + 1;
        });
        expect(x.scatterAdd(c.dim, index, src).flatten().tolist()).toEqual(want);
      }),
    );
  });

  it("select and narrow are views of the right elements, negative dims and starts included", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: -5, max: 5 }), fc.nat(5), (c, i, length) => {
        const d = norm(c.dim, c.shape.length);
        const size = c.shape[d] as number;
        const x = distinct(c.shape, c.transposed);
        const nested = x.tolist() as Nested;
        if (i < -size || i >= size) {
          expect(() => x.select(c.dim, i)).toThrow(/select: index .* out of range .* size/);
        } else {
          const k = i < 0 ? i + size : i;
          const s = x.select(c.dim, i);
          expect(s._array.data).toBe(x._array.data);
          const shape = c.shape.filter((_, j) => j !== d);
          expect(s.flatten().tolist()).toEqual(
            build(shape, (ix) => at(nested, [...ix.slice(0, d), k, ...ix.slice(d)])),
          );
        }
        const start = i < 0 ? i + size : i;
        if (start < 0 || start + length > size) {
          expect(() => x.narrow(c.dim, i, length)).toThrow(/narrow: start .* length .* size/);
        } else {
          const n = x.narrow(c.dim, i, length);
          expect(n._array.data).toBe(x._array.data);
          const shape = c.shape.map((s, j) => (j === d ? length : s));
          expect(n.flatten().tolist()).toEqual(
            build(shape, (ix) =>
              at(
                nested,
                ix.map((v, j) => (j === d ? v + start : v)),
              ),
            ),
          );
        }
      }),
    );
  });

  it("maskedSelect keeps the masked elements in row-major order; maskedScatter puts them back", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, seed) => {
        const n = count(c.shape);
        const keep = Array.from({ length: n }, (_, i) => (i * 13 + seed) % 3 === 0);
        const mask = torch.tensor(keep, { dtype: "bool" }).reshape([...c.shape]);
        const x = distinct(c.shape, c.transposed);
        const flat = x.flatten().tolist() as number[];
        const selected = x.maskedSelect(mask);
        expect(selected.tolist()).toEqual(flat.filter((_, i) => keep[i]));
        const back = torch.zerosLike(x).maskedScatter(mask, selected);
        expect(back.flatten().tolist()).toEqual(flat.map((v, i) => (keep[i] ? v : 0)));
      }),
    );
  });

  it("split, chunk and unbind give views that cat and stack put back together", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 5 }), (c, k) => {
        const x = distinct(c.shape, c.transposed);
        const size = c.shape[norm(c.dim, c.shape.length)] as number;
        const pieces = x.split(k, c.dim);
        expect(pieces.length).toBe(Math.max(1, Math.ceil(size / k)));
        for (const p of pieces) expect(p._array.data).toBe(x._array.data);
        expect(torch.cat(pieces, c.dim).tolist()).toEqual(x.tolist());
        expect(torch.cat(x.chunk(k, c.dim), c.dim).tolist()).toEqual(x.tolist());
        if (size > 0) expect(torch.stack(x.unbind(c.dim), c.dim).tolist()).toEqual(x.tolist());
      }),
    );
  });

  it("max(dim) gives the largest value and the first index where it occurs", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, seed) => {
        const d = norm(c.dim, c.shape.length);
        if ((c.shape[d] as number) === 0) return;
        // few distinct values, so ties are common
        const x = torch
          .tensor(build(c.shape, (ix) => ix.reduce((a, b) => a * 3 + b, seed) % 3))
          .reshape([...c.shape]);
        const nested = x.tolist() as Nested;
        const { values, indices } = x.max(c.dim);
        const shape = c.shape.filter((_, j) => j !== d);
        const line = (ix: number[]) =>
          Array.from({ length: c.shape[d] as number }, (_, k) =>
            at(nested, [...ix.slice(0, d), k, ...ix.slice(d)]),
          );
        expect(values.flatten().tolist()).toEqual(build(shape, (ix) => Math.max(...line(ix))));
        expect(indices.dtype).toBe("int64");
        expect(indices.flatten().tolist()).toEqual(
          build(shape, (ix) => line(ix).indexOf(Math.max(...line(ix)))),
        );
      }),
    );
  });
});

/** A random index list for a tensor of `shape`: numbers, slices with steps, new axes, maybe "...". */
const basicItemsArb = (shape: readonly number[]) =>
  fc
    .tuple(
      fc.tuple(
        ...shape.map((s) => {
          const slice = fc
            .record({
              start: fc.option(fc.integer({ min: -5, max: 5 })),
              end: fc.option(fc.integer({ min: -5, max: 5 })),
              step: fc.integer({ min: 1, max: 3 }),
            })
            .map(({ start, end, step }): torch.IndexItem => torch.Slice(start, end, step));
          // a number needs a non-empty dim
          return s === 0
            ? slice
            : fc.oneof(fc.integer({ min: -s, max: s - 1 }) as fc.Arbitrary<torch.IndexItem>, slice);
        }),
      ),
      fc.nat(shape.length),
      fc.boolean(),
      fc.nat(shape.length),
    )
    .map(([items, cut, newAxis, at]) => {
      // drop a tail (covered by "..." half of the time) and insert a new axis somewhere
      const kept: torch.IndexItem[] = items.slice(0, cut);
      if (cut < items.length && newAxis) kept.push("...");
      if (newAxis) kept.splice(Math.min(at, kept.length), 0, null);
      return kept;
    });

/** Python's semantics on nested arrays, item by item: the reference for basic indexing. */
function naiveBasic(value: Nested, items: readonly torch.IndexItem[], ndim: number): Nested {
  const used = items.filter((i) => i !== null && i !== "...").length;
  const expanded = items.flatMap((i) => (i === "..." ? Array(ndim - used).fill(torch.Slice()) : [i]));
  const apply = (v: Nested, rest: readonly torch.IndexItem[]): Nested => {
    if (rest.length === 0) return v;
    const [head, ...tail] = rest;
    if (head === null) return [apply(v, tail)];
    const list = v as Nested[];
    if (typeof head === "number") return apply(list[head < 0 ? head + list.length : head] as Nested, tail);
    const s = head as torch.SliceIndex;
    const n = list.length;
    const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + n : x, 0), n);
    const out: Nested[] = [];
    for (
      let k = s.start === null ? 0 : clamp(s.start);
      k < (s.end === null ? n : clamp(s.end));
      k += s.step
    ) {
      out.push(apply(list[k] as Nested, tail));
    }
    return out;
  };
  return apply(value, expanded);
}

describe("index and indexPut_ against a naive reference", () => {
  it("basic indexing (numbers, strided slices, new axes, '...') gives a view with Python's values", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) => fc.tuple(fc.constant(shape), basicItemsArb(shape), fc.boolean())),
        ([shape, items, transposed]) => {
          const x = distinct(shape, transposed);
          const out = x.index(items);
          expect(out._array.data).toBe(x._array.data);
          expect(out.tolist()).toEqual(naiveBasic(x.tolist() as Nested, items, shape.length));
        },
      ),
    );
  });

  it("an int64 tensor along one dim is indexSelect with negative indices allowed", () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.integer({ min: -4, max: 3 }), { maxLength: 4 }), (c, picks) => {
        const d = norm(c.dim, c.shape.length);
        const size = c.shape[d] as number;
        const list = size === 0 ? [] : picks.map((p) => (((p % size) + size) % size) - (p < 0 ? size : 0));
        const index = torch.tensor(list, { dtype: "int64" });
        const x = distinct(c.shape, c.transposed);
        const items: torch.IndexItem[] = [...Array(d).fill(torch.Slice()), index];
        const positive = torch.tensor(
          list.map((v) => (v < 0 ? v + size : v)),
          { dtype: "int64" },
        );
        expect(x.index(items).tolist()).toEqual(x.indexSelect(d, positive).tolist());
      }),
    );
  });

  it("indexPut_ writes exactly where index reads, and nothing else", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) => fc.tuple(fc.constant(shape), basicItemsArb(shape))),
        ([shape, items]) => {
          const x = torch.zeros([...shape]);
          const picked = x.index(items);
          const values = torch
            .arange(picked.numel())
            .add(1)
            .reshape([...picked.shape]);
          x.indexPut_(items, values);
          expect(x.index(items).tolist()).toEqual(values.tolist());
          expect(x.sum().item()).toBe(values.sum().item());
        },
      ),
    );
  });
});
