import { TorchletError } from "@torchlet/storage";

/**
 * What a pickle may build: Python's plain values (None as null, ints as numbers or, beyond 2^53,
 * bigints), lists and tuples as arrays, dicts as `PickleDict`, and whatever the `globals` the caller
 * allows construct.
 */
export type PickleValue = unknown;

/** A dict as the unpickler builds it: its items in insertion order (keys may be any value). */
export class PickleDict {
  readonly items = new Map<PickleValue, PickleValue>();
  /** Attributes set by BUILD on an OrderedDict (a state dict's `_metadata`). */
  state: PickleValue = null;
  constructor(readonly ordered: boolean) {}
}

/** A Python global the caller allows: called by REDUCE/NEWOBJ with the unpickled arguments. */
export type PickleGlobal = (args: PickleValue[]) => PickleValue;

/** How the caller resolves what a pickle cannot hold itself. */
export interface PickleHooks {
  /** `module.name` -> its implementation; any other global is refused. */
  readonly globals: ReadonlyMap<string, PickleGlobal>;
  /** BINPERSID's target: PyTorch's storages. */
  persistentLoad(id: PickleValue): PickleValue;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A restricted unpickler, the counterpart of `torch.load(weights_only=True)`: it knows exactly the
 * opcodes PyTorch's state dicts use (protocols 2 to 5) and calls only the globals in `hooks`. Nothing
 * in the file is ever executed; any other opcode or global is a `TorchletError` naming it, and every
 * length is checked against the bytes before it is read.
 */
export function unpickle(op: string, bytes: Uint8Array, hooks: PickleHooks): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string) => new TorchletError(`${op}: malformed pickle (${what})`);
  let pos = 0;
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) throw fail(`truncated at byte ${pos}`);
    const at = pos;
    pos += n;
    return at;
  };
  const text = (n: number) => {
    const at = need(n);
    try {
      return decoder.decode(bytes.subarray(at, at + n));
    } catch {
      throw fail(`invalid UTF-8 at byte ${at}`);
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail(`unterminated line at byte ${pos}`);
    return text(end - pos + 1).slice(0, -1);
  };

  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  const pop = () => {
    if (stack.length === 0 || stack.length <= (marks[marks.length - 1] ?? -1)) throw fail("stack underflow");
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw fail("stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) throw fail("no MARK to pop to");
    return stack.splice(m);
  };
  const global = (module: string, name: string) => {
    const fn = hooks.globals.get(`${module}.${name}`);
    if (!fn) {
      throw new TorchletError(
        `${op}: the file refers to the Python global "${module}.${name}", which torchlet does not allow (it loads only tensors, numbers, strings, and dicts, lists and tuples of them; nothing from a file is ever run)`,
      );
    }
    return fn;
  };
  const call = (fn: PickleValue, args: PickleValue) => {
    if (typeof fn !== "function") throw fail("REDUCE of something that is not an allowed global");
    if (!Array.isArray(args)) throw fail("REDUCE without an argument tuple");
    return (fn as PickleGlobal)(args);
  };
  const dictOf = (target: PickleValue) => {
    if (!(target instanceof PickleDict)) throw fail("SETITEM on something that is not a dict");
    return target.items;
  };
  const listOf = (target: PickleValue) => {
    if (!Array.isArray(target) || Object.isFrozen(target))
      throw fail("APPEND on something that is not a list");
    return target;
  };
  const memoGet = (key: number) => {
    if (!memo.has(key)) throw fail(`memo entry ${key} is not defined`);
    return memo.get(key);
  };

  for (;;) {
    const code = bytes[need(1)] as number;
    switch (code) {
      case 0x80: // PROTO
        if ((bytes[need(1)] as number) > 5) throw fail("pickle protocol above 5");
        break;
      case 0x95: // FRAME: a length hint only
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) throw fail("STOP with an unbalanced stack");
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(bytes[need(1)]);
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x8a: // LONG1
        {
          const length = bytes[need(1)] as number;
          stack.push(littleEndianInteger(bytes, need(length), length));
          break;
        }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(view.getUint32(need(4), true)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(bytes[need(1)] as number));
        break;
      case 0x8d: {
        // BINUNICODE8
        const low = view.getUint32(need(4), true);
        if (view.getUint32(need(4), true) !== 0) throw fail("string longer than the file");
        stack.push(text(low));
        break;
      }
      case 0x55: // SHORT_BINSTRING (Python 2 str, read as text)
        stack.push(text(bytes[need(1)] as number));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(tuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x61: {
        // APPEND
        const value = pop();
        listOf(top()).push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const values = popMark();
        listOf(top()).push(...values);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict(false));
        break;
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        dictOf(top()).set(key, value);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) throw fail("SETITEMS with an odd number of values");
        const dict = dictOf(top());
        for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") throw fail("STACK_GLOBAL of non-strings");
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD: only a state dict's attributes (`_metadata`) are accepted.
        const state = pop();
        const target = top();
        if (!(target instanceof PickleDict) || !target.ordered) {
          throw new TorchletError(
            `${op}: the file sets attributes on an object (BUILD), which torchlet does not allow`,
          );
        }
        target.state = state;
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x71: // BINPUT
        memo.set(bytes[need(1)] as number, top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(view.getUint32(need(4), true), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(bytes[need(1)] as number));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(view.getUint32(need(4), true)));
        break;
      default:
        throw new TorchletError(
          `${op}: the pickle uses opcode 0x${code.toString(16).padStart(2, "0")} at byte ${pos - 1}, which torchlet's restricted unpickler does not allow`,
        );
    }
  }
}

/** Python's tuples are immutable: frozen arrays, which APPEND refuses. */
function tuple(values: PickleValue[]): readonly PickleValue[] {
  return Object.freeze(values);
}

/** A little-endian two's-complement integer of `length` bytes at `at`: a number when safe, else a bigint. */
function littleEndianInteger(bytes: Uint8Array, at: number, length: number): number | bigint {
  let value = 0n;
  for (let i = at + length - 1; i >= at; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  if (length > 0 && (bytes[at + length - 1] as number) >= 0x80) value -= 1n << BigInt(8 * length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}
