/**
 * Every error convkit throws on purpose is a ConvkitError. Subclasses say what kind of mistake it is;
 * the message names the operation, the parameter, the value given, what is allowed and the shapes involved.
 */
export class ConvkitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A parameter has a value outside what the operation accepts (kernel size 0, stride 1.5, padding too large, ...). */
export class ArgumentError extends ConvkitError {}

/** Tensor shapes do not fit together or produce an empty/invalid output. */
export class ShapeError extends ConvkitError {}

/** No backend, a backend that failed to initialise, tensors on different backends, or a disposed tensor. */
export class BackendError extends ConvkitError {}

/**
 * Autograd cannot do what was asked: backward from a tensor that does not require grad, or through a
 * part of the graph whose saved tensors an earlier backward freed.
 */
export class GraphError extends ConvkitError {}

/** Formats a shape or tuple for messages: `[1, 3, 32, 32]`. */
export function fmt(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(fmt).join(", ")}]`;
  if (ArrayBuffer.isView(value)) return `[${Array.from(value as unknown as ArrayLike<number>).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
