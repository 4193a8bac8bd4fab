/**
 * Adds a SIGINT listener (the stop button, ■) once the running cell's synchronous start is over.
 *
 * tslab runs that start with vm's `breakOnSigint`, during which Node sets its own SIGINT handler and
 * restores its default one (end the process) afterwards: a listener first added in between is left
 * without a handler until the next cell, and the stop button would kill the kernel instead of
 * stopping the cell (as it did for `model.fit` called first thing in a cell).
 */
export function listenToSigintLater(listener: () => void): NodeJS.Immediate {
  return setImmediate(() => process.on('SIGINT', listener));
}
