export type DType = "float32" | "int32";
export type TypedArray = Float32Array | Int32Array;
export type DataFor<D extends DType> = D extends "int32" ? Int32Array : Float32Array;

export function allocate(dtype: DType, size: number): TypedArray {
  return dtype === "int32" ? new Int32Array(size) : new Float32Array(size);
}

export function bytesPerElement(_dtype: DType): number {
  return 4;
}
