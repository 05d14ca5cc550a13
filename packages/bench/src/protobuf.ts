/**
 * A minimal protocol-buffers encoder: just enough wire format (varints, length-delimited fields, packed
 * repeated varints) to write ONNX models. Field bytes are collected as chunks and joined once, so large
 * raw tensors are copied a single time.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

const textEncoder = new TextEncoder();

/** Encodes an integer as a protobuf varint; negative values use the 10-byte two's-complement int64 form. */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf varint: ${value} is not a safe integer`);
  const out: number[] = [];
  if (value < 0) {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return Uint8Array.from(out);
  }
  let v = value;
  // Division rather than bit shifts: shifts truncate to 32 bits and int64 fields can exceed that.
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Accumulates the encoded fields of one message. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }

  private key(field: number, wireType: number): this {
    return this.push(encodeVarint(field * 8 + wireType));
  }

  /** int32 / int64 / enum field. */
  varint(field: number, value: number): this {
    return this.key(field, WIRE_VARINT).push(encodeVarint(value));
  }

  bytes(field: number, value: Uint8Array): this {
    return this.key(field, WIRE_LENGTH_DELIMITED).push(encodeVarint(value.length)).push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /**
   * Repeated int64, one key per element: onnx.proto is proto2 without `packed = true`, so this is its
   * canonical encoding.
   */
  repeatedVarints(field: number, values: readonly number[]): this {
    for (const v of values) this.varint(field, v);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}
