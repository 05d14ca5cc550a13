export type DType = "float32" | "int32";
export type TypedArray = Float32Array | Int32Array;

export function allocate(dtype: DType, size: number): TypedArray {
  return dtype === "int32" ? new Int32Array(size) : new Float32Array(size);
}
