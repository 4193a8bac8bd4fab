import * as tf from '@tensorflow/tfjs';

/**
 * The only module that reaches inside tfjs: tfjs-node's backend object (to run TensorFlow operations
 * by name and copy a tensor's buffer) and one of its private modules. These are not public API, so
 * they are used only with the versions they were written against: with any other, the fast paths
 * step aside and training takes the reference path, saying why.
 */

/** The tfjs versions this module was written and tested against. */
const KNOWN_TFJS_VERSIONS = ['4.22.0'];

/** Why the installed tfjs cannot be reached into here, or undefined when it can. */
export function tfjsInternalsUnavailable(): string | undefined {
  const installed = tf.version.tfjs;
  if (KNOWN_TFJS_VERSIONS.includes(installed)) return undefined;
  return `tfjs ${installed} n'est pas une version connue des chemins rapides (connues : ${KNOWN_TFJS_VERSIONS.join(', ')})`;
}

/** tfjs-node's backend as used here: TensorFlow operations by name, tensor buffers, the addon's constants. */
export interface NativeBackend {
  binding: {
    TF_ATTR_BOOL: number;
    TF_ATTR_STRING: number;
    TF_ATTR_INT: number;
    TF_ATTR_FLOAT: number;
    /** Added to the addon by scripts/setup.mjs (binding patches); an addon built otherwise lacks it. */
    copyTensorData?: (id: number, target: Float32Array) => number;
  };
  tensorMap: { get(dataId: object): { id: number; values?: Float32Array | null } };
  executeSingleOutput(name: string, attrs: object[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: object[], inputs: tf.Tensor[], outputs: number): tf.Tensor[];
}

/** The native backend, when native TensorFlow is the current backend and its internals are known. */
export function nativeBackend(): NativeBackend | undefined {
  if (tf.getBackend() !== 'tensorflow' || tfjsInternalsUnavailable() !== undefined) return undefined;
  return tf.backend() as unknown as NativeBackend;
}

/** The attribute giving an operation's input type (such as T = float32), built by tfjs-node's private helper. */
export function typeAttribute(name: string, dtype: 'float32' | 'int32'): object {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a private module of tfjs-node 4.22
  const { createTensorsTypeOpAttr } = require('@tensorflow/tfjs-node/dist/nodejs_kernel_backend');
  return createTensorsTypeOpAttr(name, dtype);
}
