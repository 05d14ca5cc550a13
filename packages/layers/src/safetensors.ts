/**
 * Safetensors read and write (https://github.com/huggingface/safetensors): an 8-byte little-endian u64
 * header length N, N bytes of UTF-8 JSON `{ name: { dtype, shape, data_offsets: [begin, end] },
 * "__metadata__"?: { key: value } }` (padded with spaces to a multiple of 8 by writers), then the byte
 * buffer; offsets are relative to the buffer, and the tensors tile it exactly, without holes or overlaps.
 */
import { ArgumentError, ConvkitError, type Tensor, tensor } from "@convkit/core";

/** A safetensors file that does not follow the format (or holds values convkit cannot represent). */
export class SafetensorsError extends ConvkitError {}

/** What `loadSafetensors` returns. Both records have a null prototype, so any tensor name is a plain key. */
export interface SafetensorsContents {
  /** Every tensor in the file by name, float32 or int32, on the active backend. The caller owns (disposes) them. */
  tensors: Record<string, Tensor>;
  /** The header's `__metadata__` (string to string), `{}` when absent. */
  metadata: Record<string, string>;
}

/** Every dtype the format defines, with its element size in bytes. */
const DTYPE_SIZES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

const FLOAT_DTYPES = new Set(["F32", "F16", "BF16", "F64"]);
const INT_DTYPES = new Set(["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64"]);

/** The reference implementation's limit: a longer header is a corrupt length field, not a real header. */
const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = "__metadata__";
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function fail(message: string): never {
  throw new SafetensorsError(`loadSafetensors: ${message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) fail(`the file is truncated: it has ${bytes.length} bytes, fewer than the 8-byte header length field`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (hi !== 0 || n > MAX_HEADER_BYTES) fail(`the header length field says ${n} bytes, more than the format's limit of ${MAX_HEADER_BYTES}: this is not a safetensors file or it is corrupt`);
  if (8 + n > bytes.length) fail(`the file is truncated: the header length field says ${n} bytes but only ${bytes.length - 8} follow it`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(`the ${n}-byte header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`the ${n}-byte header is not valid JSON (${(e as Error).message}): it starts ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (!isPlainObject(header)) fail(`the header must be a JSON object, got ${Array.isArray(header) ? "an array" : JSON.stringify(header)}`);
  return { header, dataStart: 8 + n };
}

function readMetadata(value: unknown): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null);
  if (value === undefined) return metadata;
  if (!isPlainObject(value)) fail(`"${METADATA_KEY}" must be an object of strings, got ${JSON.stringify(value)}`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") fail(`"${METADATA_KEY}" values must be strings, got ${JSON.stringify(v)} for key ${JSON.stringify(k)}`);
    metadata[k] = v;
  }
  return metadata;
}

function readEntry(name: string, info: unknown, dataLength: number): Entry {
  const what = `tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(info)) fail(`${what}: expected { dtype, shape, data_offsets }, got ${JSON.stringify(info)}`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string" || !(dtype in DTYPE_SIZES)) {
    fail(`${what} has unknown dtype ${JSON.stringify(dtype)}; safetensors dtypes are ${Object.keys(DTYPE_SIZES).join(", ")}`);
  }
  if (!FLOAT_DTYPES.has(dtype) && !INT_DTYPES.has(dtype)) {
    fail(`${what} has dtype ${dtype}, which convkit cannot load (supported: ${[...FLOAT_DTYPES, ...INT_DTYPES].join(", ")})`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    fail(`${what}: data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) fail(`${what}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) fail(`${what}: data_offsets [${begin}, ${end}] reach past the end of the ${dataLength}-byte data buffer (is the file truncated?)`);
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = elements * DTYPE_SIZES[dtype];
  if (expected !== end - begin) {
    fail(`${what}: shape ${JSON.stringify(shape)} of ${dtype} needs ${expected} bytes (${elements} x ${DTYPE_SIZES[dtype]}), but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** The format requires the tensors to tile the buffer: sorted by offsets, each begins where the previous ended. */
function checkTiling(entries: Entry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous = "the start of the data buffer";
  for (const e of sorted) {
    if (e.begin < at) fail(`tensor ${JSON.stringify(e.name)} at data_offsets [${e.begin}, ${e.end}] overlaps ${previous}, which ends at ${at}`);
    if (e.begin > at) fail(`tensor ${JSON.stringify(e.name)} at data_offsets [${e.begin}, ${e.end}] leaves a hole of ${e.begin - at} bytes after ${previous} (ending at ${at}); tensors must be contiguous`);
    at = e.end;
    previous = `tensor ${JSON.stringify(e.name)}`;
  }
  if (at !== dataLength) fail(`the data buffer has ${dataLength - at} bytes after the last tensor (${dataLength} bytes, tensors cover ${at}); the file has trailing garbage or wrong offsets`);
}

/** A copy of `bytes` in a fresh, aligned buffer (the source offset may be unaligned, e.g. an unpadded header). */
function copyBytes(bytes: Uint8Array, begin: number, end: number): ArrayBuffer {
  const out = new Uint8Array(end - begin);
  out.set(bytes.subarray(begin, end));
  return out.buffer;
}

function decodeFloat(dtype: string, bytes: Uint8Array, view: DataView, begin: number, count: number): Float32Array {
  if (dtype === "F32" && LITTLE_ENDIAN_HOST) return new Float32Array(copyBytes(bytes, begin, begin + count * 4));
  const out = new Float32Array(count);
  if (dtype === "F32") for (let i = 0; i < count; i++) out[i] = view.getFloat32(begin + i * 4, true);
  else if (dtype === "F64") for (let i = 0; i < count; i++) out[i] = view.getFloat64(begin + i * 8, true);
  else if (dtype === "BF16") {
    // bfloat16 is the top half of a float32: widening is exact for every value, NaN payloads included.
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u32[i] = view.getUint16(begin + i * 2, true) << 16;
  } else {
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u32[i] = halfToFloatBits(view.getUint16(begin + i * 2, true));
  }
  return out;
}

/** IEEE binary16 bits to the binary32 bits of the same value (exact: subnormals, infinities, NaN payloads). */
function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal half: normalise the mantissa; value = mant * 2^-24.
  let e = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

function decodeInt(name: string, dtype: string, bytes: Uint8Array, view: DataView, begin: number, count: number): Int32Array {
  if (dtype === "I32" && LITTLE_ENDIAN_HOST) return new Int32Array(copyBytes(bytes, begin, begin + count * 4));
  const out = new Int32Array(count);
  switch (dtype) {
    case "I32":
      for (let i = 0; i < count; i++) out[i] = view.getInt32(begin + i * 4, true);
      break;
    case "I16":
      for (let i = 0; i < count; i++) out[i] = view.getInt16(begin + i * 2, true);
      break;
    case "U16":
      for (let i = 0; i < count; i++) out[i] = view.getUint16(begin + i * 2, true);
      break;
    case "I8":
      for (let i = 0; i < count; i++) out[i] = view.getInt8(begin + i);
      break;
    case "U8":
      for (let i = 0; i < count; i++) out[i] = view.getUint8(begin + i);
      break;
    case "BOOL":
      for (let i = 0; i < count; i++) out[i] = view.getUint8(begin + i) !== 0 ? 1 : 0;
      break;
    case "U32":
      for (let i = 0; i < count; i++) {
        const v = view.getUint32(begin + i * 4, true);
        if (v > 0x7fffffff) overflow(name, dtype, i, String(v));
        out[i] = v;
      }
      break;
    default: {
      // I64 / U64: a value fits int32 when the high word is the sign extension of the low word.
      const signed = dtype === "I64";
      for (let i = 0; i < count; i++) {
        const lo = view.getInt32(begin + i * 8, true);
        const hi = view.getInt32(begin + i * 8 + 4, true);
        if (hi !== (lo < 0 ? (signed ? -1 : Number.NaN) : 0)) {
          const value = signed ? view.getBigInt64(begin + i * 8, true) : view.getBigUint64(begin + i * 8, true);
          overflow(name, dtype, i, value.toString());
        }
        out[i] = lo;
      }
    }
  }
  return out;
}

function overflow(name: string, dtype: string, index: number, value: string): never {
  fail(`tensor ${JSON.stringify(name)} (${dtype}) holds ${value} at flat index ${index}, which does not fit int32 (convkit's integer dtype)`);
}

/**
 * Reads a safetensors file. Floating tensors (F32, F16, BF16, F64) load as float32, F16 and BF16 exactly,
 * F64 rounded to nearest; integer tensors (I64 such as PyTorch's `num_batches_tracked`, I32, I16, I8, U8,
 * U16, U32, U64, BOOL as 0/1) load as int32, and a value outside int32 is an error rather than a wrap.
 * The header is validated first (lengths, JSON, dtypes, shapes against byte lengths, offsets inside the
 * buffer and tiling it exactly), so a bad file throws a `SafetensorsError` before any tensor is created.
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): SafetensorsContents {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    throw new ArgumentError(`loadSafetensors: bytes must be a Uint8Array (e.g. a Node Buffer) or an ArrayBuffer, got ${bytes === null ? "null" : typeof bytes}`);
  }
  // A plain view, so Node Buffers (whose slice() does not copy) and pooled offsets behave alike.
  const u8 = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { header, dataStart } = readHeader(u8);
  const dataLength = u8.length - dataStart;
  const metadata = readMetadata(header[METADATA_KEY]);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, info]) => readEntry(name, info, dataLength));
  checkTiling(entries, dataLength);

  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const decoded = entries.map((e) => {
    const count = (e.end - e.begin) / DTYPE_SIZES[e.dtype];
    const begin = dataStart + e.begin;
    return FLOAT_DTYPES.has(e.dtype) ? decodeFloat(e.dtype, u8, view, begin, count) : decodeInt(e.name, e.dtype, u8, view, begin, count);
  });
  const tensors: Record<string, Tensor> = Object.create(null);
  entries.forEach((e, i) => {
    tensors[e.name] = tensor(decoded[i], e.shape);
  });
  return { tensors, metadata };
}

/** The order the reference writer uses: larger dtype first (alignment), then name by UTF-8 bytes. */
function writeOrder(a: [string, Tensor], b: [string, Tensor]): number {
  if (a[1].dtype !== b[1].dtype) return a[1].dtype === "float32" ? -1 : 1;
  return compareUtf8(a[0], b[0]);
}

function compareUtf8(a: string, b: string): number {
  // Code-point order equals UTF-8 byte order (UTF-16 code-unit order does not, past U+FFFF).
  const ca = Array.from(a, (c) => c.codePointAt(0) as number);
  const cb = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i] - cb[i];
  return ca.length - cb.length;
}

function isTensor(v: unknown): v is Tensor {
  return v !== null && typeof v === "object" && "shape" in v && "dtype" in v && typeof (v as Tensor).dataSync === "function";
}

/**
 * Writes tensors (a record or a Map, e.g. a state dict) as a safetensors file: float32 as F32, int32 as
 * I32, laid out as the reference implementation does (F32 before I32, then by name; header padded with
 * spaces to 8 bytes), so the same tensors give the same bytes. `metadata` becomes `__metadata__`.
 */
export function saveSafetensors(dict: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  if (dict === null || typeof dict !== "object") throw new ArgumentError(`saveSafetensors: dict must be a record or Map of tensors, got ${dict === null ? "null" : typeof dict}`);
  const items = dict instanceof Map ? [...(dict as ReadonlyMap<string, Tensor>).entries()] : Object.entries(dict as Record<string, Tensor>);
  for (const [name, t] of items) {
    if (name === METADATA_KEY) throw new ArgumentError(`saveSafetensors: "${METADATA_KEY}" is reserved for metadata and cannot name a tensor`);
    if (!isTensor(t)) throw new ArgumentError(`saveSafetensors: ${JSON.stringify(name)} must be a Tensor, got ${t === null ? "null" : typeof t}`);
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new ArgumentError(`saveSafetensors: metadata must be an object of strings, got ${JSON.stringify(metadata)}`);
    }
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new ArgumentError(`saveSafetensors: metadata values must be strings, got ${JSON.stringify(v)} for key ${JSON.stringify(k)}`);
    }
    header[METADATA_KEY] = { ...metadata };
  }
  items.sort(writeOrder);
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of items) {
    const data = t.dataSync();
    const payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const le = LITTLE_ENDIAN_HOST ? payload : toLittleEndian(payload);
    // JSON.parse would turn a "__proto__" key into a prototype change; defineProperty keeps it a key.
    Object.defineProperty(header, name, {
      value: { dtype: t.dtype === "int32" ? "I32" : "F32", shape: [...t.shape], data_offsets: [offset, offset + le.length] },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    offset += le.length;
    payloads.push(le);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const p of payloads) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Byte-swaps 4-byte elements (only reached on a big-endian host). */
function toLittleEndian(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length);
  for (let i = 0; i < payload.length; i += 4) {
    out[i] = payload[i + 3];
    out[i + 1] = payload[i + 2];
    out[i + 2] = payload[i + 1];
    out[i + 3] = payload[i];
  }
  return out;
}
