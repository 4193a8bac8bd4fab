import * as tf from '@tensorflow/tfjs';
import { switchedOff } from '../util/speed-switches';
import { nativeBackend } from './tfjs-internals';

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
  const backend = switchedOff('direct-copy') ? undefined : nativeBackend();
  if (backend !== undefined) {
    const info = backend.tensorMap.get(tensor.dataId);
    if (info.values == null && backend.binding.copyTensorData !== undefined) {
      backend.binding.copyTensorData(info.id, target);
      return;
    }
  }
  target.set(tensor.dataSync() as Float32Array);
}
