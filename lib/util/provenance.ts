/**
 * Which library function made an object, and which library functions a piece of code called.
 *
 * The coursework's checks use it to tell a student that an answer calls the library's reference
 * builders or noise helper instead of the student's own code.
 */
const makers = new WeakMap<object, string>();
let recording: string[] | undefined;

/** Remembers that `maker` (e.g. "lab.buildDense1") made `value`; returns `value`. */
export function markMadeBy<T extends object>(value: T, maker: string): T {
  makers.set(value, maker);
  return value;
}

/** The library function that made `value`, if any. */
export function madeBy(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? makers.get(value) : undefined;
}

/** Called by the library functions a student's answer must not call in their place. */
export function noteLibraryCall(name: string): void {
  recording?.push(name);
}

/** Runs `fn` and lists the noted library functions it called (each once). */
export function libraryCallsDuring<T>(fn: () => T): { result: T; calls: string[] } {
  const outer = recording;
  recording = [];
  try {
    const result = fn();
    return { result, calls: [...new Set(recording)] };
  } finally {
    recording = outer;
  }
}
