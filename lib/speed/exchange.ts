import * as tf from '@tensorflow/tfjs';
import { copyInto } from './copy-data';
import { ADAM_DEFAULTS, PartGradient } from '../step/trainer';
import { AdamKernel, WASM_PAGE_BYTES, adamKernel } from './simd-adam';

/**
 * Shared memory through which the threads training one model combine each step (see threads.ts).
 *
 * A step goes in two phases, each closed by a barrier:
 *   1. each thread writes its part's gradient and loss share into its own region;
 *   2. once all regions hold this step, each thread runs Adam on its own slice of the parameters,
 *      reading the parts' sum and updating the shared weights and moments;
 * after the second barrier every thread's copy of the model reads the new weights. Each parameter
 * is updated by exactly one thread, so all copies stay equal. The regions are read only between the
 * two barriers: a thread past the second one may already be writing its next part.
 *
 * Everything lives in one shared WebAssembly memory, where Adam runs as a SIMD function
 * (simd-adam.ts): the gradient has to come to JavaScript for the exchange anyway, and that is faster
 * than TensorFlow's dozen passes over the whole vector (measured on the conv model with two
 * threads: about 0.1 ms per step against 1 to 1.2 ms). Each array holds the variables one after the
 * other, each from a 64-byte boundary with zeros up to the next (zero gradients leave those zeros
 * as they are), so that the slices are multiples of 4 values for SIMD and that the variables can be
 * made from the shared weights themselves: where the backend keeps a tensor's values in the
 * JavaScript array it was made from (TensorFlow does, for 64-byte aligned arrays), they read each
 * update in place, with no copy per step (see attach). Elsewhere (WASM) the weights are copied into
 * the variables after each step.
 */
export interface ExchangeBuffers {
  /** Int32: the stop flag, the failed thread (+1), each thread's last published gradient, each thread's last finished update. */
  control: SharedArrayBuffer;
  /** The number of values of each variable, in the model's order. */
  sizes: number[];
  /** Float32 arrays, at the offsets given by exchangeLayout: the regions, the moments, the weights. */
  memory: WebAssembly.Memory;
  /** UTF-8 text of a failed thread's error. */
  message: SharedArrayBuffer;
}

const STOP = 0;
const FAILED = 1;
const FIRST_COUNTER = 2;
const MESSAGE_BYTES = 4096;
/** 64 bytes, in floats: TensorFlow uses a tensor's memory in place when it starts on such a boundary. */
const ALIGNMENT = 16;

/** Thrown in a helper thread when the main thread has asked the helpers to stop. */
export class StopRequested extends Error {
  constructor() {
    super('training stopped by the main thread');
  }
}

const aligned = (floats: number) => Math.ceil(floats / ALIGNMENT) * ALIGNMENT;

/**
 * Where things start in the memory, in floats: each variable within an array (`starts`, the same in
 * all), each thread's gradient region (with its loss share at `length`), the moments, the weights,
 * and each thread's probe slot (see backendReadsInPlace). The regions are at least two: with one
 * thread the second stays zero.
 */
function exchangeLayout(sizes: number[], threads: number) {
  let length = 0;
  const starts = sizes.map((size) => {
    const start = length;
    length += aligned(size);
    return start;
  });
  const regionStride = aligned(length + 1);
  const regions = Array.from({ length: Math.max(2, threads) }, (_, t) => t * regionStride);
  const firstMoment = regions.length * regionStride;
  const secondMoment = firstMoment + length;
  const weights = secondMoment + length;
  const probes = Array.from({ length: threads }, (_, t) => weights + length + t * ALIGNMENT);
  return { starts, length, regions, firstMoment, secondMoment, weights, probes, total: weights + length + threads * ALIGNMENT };
}

export function createExchangeBuffers(threads: number, sizes: number[]): ExchangeBuffers {
  const pages = Math.max(1, Math.ceil((4 * exchangeLayout(sizes, threads).total) / WASM_PAGE_BYTES));
  return {
    control: new SharedArrayBuffer(4 * (FIRST_COUNTER + 2 * threads)),
    sizes: [...sizes],
    memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }),
    message: new SharedArrayBuffer(MESSAGE_BYTES),
  };
}

export interface ExchangeOptions {
  threads: number;
  /** This thread's index (0 = the main thread). */
  thread: number;
  learningRate: number;
  /** Longest wait for another thread before giving up (the main thread's guard against a lost helper). */
  timeoutSeconds: number;
}

export class GradientExchange {
  private readonly control: Int32Array;
  private readonly floats: Float32Array;
  private readonly sizes: number[];
  private readonly layout: ReturnType<typeof exchangeLayout>;
  private readonly message: Uint8Array;
  private readonly adam: AdamKernel;
  /** The values whose update this thread computes: [start, end) within an array, multiples of 16. */
  private readonly slice: [number, number];
  /** The variables made from the shared weights by attach, where the backend reads those in place. */
  private attached: tf.Variable[] | undefined;
  /** Whether the backend reads tensors made from shared memory in place: probed at the first attach. */
  private readsInPlace: boolean | undefined;

  constructor(
    buffers: ExchangeBuffers,
    private readonly options: ExchangeOptions,
  ) {
    const { threads, thread } = options;
    this.control = new Int32Array(buffers.control);
    this.floats = new Float32Array(buffers.memory.buffer);
    this.sizes = buffers.sizes;
    this.layout = exchangeLayout(buffers.sizes, threads);
    this.message = new Uint8Array(buffers.message);
    this.adam = adamKernel(buffers.memory);
    const boundary = (t: number) => aligned(Math.floor((this.layout.length * t) / threads));
    this.slice = [boundary(thread), boundary(thread + 1)];
  }

  /** The number of parameters. */
  get parameters(): number {
    return this.sizes.reduce((a, b) => a + b, 0);
  }

  /** The shared weights of variable `index` (a view: it changes at each step). */
  private weightsOf(index: number): Float32Array {
    const start = this.layout.weights + this.layout.starts[index];
    return this.floats.subarray(start, start + this.sizes[index]);
  }

  private checkVariables(variables: tf.Variable[]): void {
    const sizes = variables.map((v) => v.size);
    if (sizes.length !== this.sizes.length || sizes.some((size, i) => size !== this.sizes[i])) {
      throw new Error(
        `the model has ${sizes.reduce((a, b) => a + b, 0)} parameters in variables of ${sizes.join(', ')} values, ` +
          `the exchange ${this.parameters} in ${this.sizes.join(', ')}`,
      );
    }
  }

  /** Sets the shared weights (the main thread does, before starting the helpers). */
  setWeights(variables: tf.Variable[]): void {
    this.checkVariables(variables);
    variables.forEach((variable, i) => this.weightsOf(i).set(variable.dataSync() as Float32Array));
  }

  /** Copies the shared weights into the variables. */
  private loadWeights(variables: tf.Variable[]): void {
    // A copy: the shared weights change at the next step, the variable must not.
    // tidy: the variable keeps the new values, the tensor that brought them is released (assign shares its data).
    tf.tidy(() => variables.forEach((variable, i) => variable.assign(tf.tensor(this.weightsOf(i).slice(), variable.shape))));
  }

  /**
   * Makes the variables read the shared weights in place, where the backend allows it (otherwise
   * loads them, and each step copies them again). Until detach, the variables' values change at
   * every step: a copy of them taken meanwhile (tf.clone, model.getWeights) changes with them.
   */
  attach(variables: tf.Variable[]): void {
    this.checkVariables(variables);
    this.readsInPlace ??= this.backendReadsInPlace();
    if (!this.readsInPlace) {
      this.loadWeights(variables);
      return;
    }
    tf.tidy(() => variables.forEach((variable, i) => variable.assign(tf.tensor(this.weightsOf(i), variable.shape))));
    this.attached = variables;
  }

  /** Gives the variables a copy of the current weights, which later steps do not change. */
  detach(variables: tf.Variable[]): void {
    if (this.attached === variables) this.loadWeights(variables);
    this.attached = undefined;
  }

  /** Whether a tensor made from shared memory reads that memory in place (checked on this thread's probe slot). */
  private backendReadsInPlace(): boolean {
    const at = this.layout.probes[this.options.thread];
    const slot = this.floats.subarray(at, at + 1);
    slot[0] = 1;
    const probe = tf.tensor1d(slot);
    try {
      // tfjs-node hands an array to TensorFlow when an operation first uses it.
      tf.tidy(() => tf.add(probe, 0).dataSync());
      slot[0] = 2;
      return probe.dataSync()[0] === 2;
    } finally {
      probe.dispose();
    }
  }

  /** Writes this thread's part (zeros for an empty part) into its region, each variable at its start. */
  private write(own: PartGradient | undefined): void {
    const region = this.layout.regions[this.options.thread];
    if (own === undefined) {
      this.floats.fill(0, region, region + this.layout.length + 1);
      return;
    }
    if (own.gradients.length !== this.sizes.length) {
      throw new Error(`the exchange holds ${this.sizes.length} variables, got ${own.gradients.length} gradients`);
    }
    own.gradients.forEach((gradient, i) => {
      const start = region + this.layout.starts[i];
      copyInto(gradient, this.floats.subarray(start, start + this.sizes[i]));
    });
    const loss = region + this.layout.length;
    copyInto(own.loss, this.floats.subarray(loss, loss + 1));
  }

  /**
   * Step `step` (numbered from 1): publishes this thread's part (undefined for an empty part),
   * updates its slice of the weights with the sum of all parts and waits for the other slices;
   * then the variables hold the new weights (read in place if attached, copied otherwise).
   * Returns the batch's loss.
   */
  step(step: number, own: PartGradient | undefined, variables: tf.Variable[]): number {
    const { threads, thread } = this.options;
    this.write(own);
    this.publish(thread, step);
    for (let other = 0; other < threads; other++) this.waitFor(other, step);
    // The regions hold this step until everyone has passed the next barrier: read them before it.
    let loss = 0;
    for (const region of this.layout.regions) loss += this.floats[region + this.layout.length];
    this.updateSlice(step);
    this.publish(threads + thread, step);
    for (let other = 0; other < threads; other++) this.waitFor(threads + other, step);
    if (this.attached !== variables) this.loadWeights(variables);
    return loss;
  }

  /** Adam as tf.train.adam computes it (see FlatAdam), on this thread's slice. */
  private updateSlice(step: number): void {
    const [start, end] = this.slice;
    const [first, second, ...others] = this.layout.regions;
    // Beyond two threads, the other parts are added into the second region's slice (only this thread reads it).
    for (const other of others) {
      for (let i = start; i < end; i++) this.floats[second + i] += this.floats[other + i];
    }
    const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
    const bytes = (offset: number) => 4 * (offset + start);
    this.adam(
      {
        gradient: bytes(first),
        otherGradient: bytes(second),
        firstMoment: bytes(this.layout.firstMoment),
        secondMoment: bytes(this.layout.secondMoment),
        weights: bytes(this.layout.weights),
      },
      end - start,
      {
        beta1,
        beta2,
        epsilon,
        oneMinusBeta1: 1 - beta1,
        oneMinusBeta2: 1 - beta2,
        rate: this.options.learningRate / (1 - beta1 ** step),
        correction: Math.sqrt(1 / (1 - beta2 ** step)),
      },
    );
  }

  private publish(counter: number, step: number): void {
    Atomics.store(this.control, FIRST_COUNTER + counter, step);
    Atomics.notify(this.control, FIRST_COUNTER + counter);
  }

  private waitFor(counter: number, step: number): void {
    const slot = FIRST_COUNTER + counter;
    const started = Date.now();
    for (;;) {
      const seen = Atomics.load(this.control, slot);
      if (seen >= step) return;
      if (Atomics.load(this.control, STOP) !== 0) throw new StopRequested();
      const failed = Atomics.load(this.control, FAILED);
      if (failed !== 0) {
        const text = new TextDecoder().decode(this.message.slice()).replace(/\0+$/, '');
        throw new Error(`training thread ${failed - 1} failed: ${text}`);
      }
      Atomics.wait(this.control, slot, seen, Math.min(1000, this.options.timeoutSeconds * 1000));
      const waited = (Date.now() - started) / 1000;
      if (waited > this.options.timeoutSeconds) {
        throw new Error(
          `training thread ${counter % this.options.threads} has not finished step ${step} after ${Math.round(waited)} s; ` +
            'train with threads: 1 to do without helper threads',
        );
      }
    }
  }

  private wakeAll(): void {
    for (let slot = FIRST_COUNTER; slot < this.control.length; slot++) Atomics.notify(this.control, slot);
  }

  /** Asks every thread to stop, waking those that wait. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    this.wakeAll();
  }

  /** Reports this thread's failure to the others (which throw an error with this text). */
  fail(error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    this.message.fill(0);
    this.message.set(new TextEncoder().encode(text).subarray(0, MESSAGE_BYTES - 1));
    Atomics.store(this.control, FAILED, this.options.thread + 1);
    this.wakeAll();
  }
}
