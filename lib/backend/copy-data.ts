import * as tf from '@tensorflow/tfjs';

/**
 * The part of tfjs-node's backend used here. `copyTensorData` is added to the addon by the lab's
 * setup (scripts/setup.mjs); an addon built otherwise lacks it.
 */
interface NativeBackend {
  tensorMap: { get(dataId: object): { id: number; values?: Float32Array | null } };
  binding: { copyTensorData?: (id: number, target: Float32Array) => number };
}

/**
 * Copies a float32 tensor's values into `target` (for instance a view of shared memory), which must
 * have exactly the tensor's size. On native TensorFlow, with the lab's addon, TensorFlow's buffer is
 * copied straight into the target; `dataSync` would first copy it into a new array, whose allocation
 * and page faults cost about ten times the copy itself for the conv model's 0.8 MB gradient.
 */
export function copyInto(tensor: tf.Tensor, target: Float32Array): void {
  if (tensor.dtype !== 'float32' || tensor.size !== target.length) {
    throw new Error(`copyInto: a float32 tensor of ${target.length} values is needed, got ${tensor.dtype} values, ${tensor.size} of them`);
  }
  if (tf.getBackend() === 'tensorflow') {
    const backend = tf.backend() as unknown as NativeBackend;
    const info = backend.tensorMap.get(tensor.dataId);
    if (info.values == null && backend.binding.copyTensorData !== undefined) {
      backend.binding.copyTensorData(info.id, target);
      return;
    }
  }
  target.set(tensor.dataSync() as Float32Array);
}
