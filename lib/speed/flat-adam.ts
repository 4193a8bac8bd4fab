import * as tf from '@tensorflow/tfjs';
import { ADAM_DEFAULTS } from '../step/trainer';

/**
 * Adam (Kingma & Ba), computed as tf.train.adam does, but on all the variables at once: their
 * gradients are concatenated into one vector, the moments are two vectors, and the update is split
 * back. About a dozen operations per step instead of about ten per variable.
 */
export class FlatAdam {
  private readonly sizes: number[];
  private readonly firstMoment: tf.Variable;
  private readonly secondMoment: tf.Variable;
  private step = 0;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly learningRate: number,
  ) {
    this.sizes = variables.map((v) => v.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    // tidy frees the zero tensors; the variables keep their own reference to the data.
    this.firstMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.secondMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  }

  /** Applies one update from the gradients of the variables, in their order. */
  apply(gradients: tf.Tensor[]): void {
    this.step++;
    tf.tidy(() => {
      const g = tf.concat(gradients.map((gradient) => tf.reshape(gradient, [-1])));
      const m = tf.add(tf.mul(this.firstMoment, ADAM_DEFAULTS.beta1), tf.mul(g, 1 - ADAM_DEFAULTS.beta1));
      const v = tf.add(tf.mul(this.secondMoment, ADAM_DEFAULTS.beta2), tf.mul(tf.square(g), 1 - ADAM_DEFAULTS.beta2));
      this.firstMoment.assign(m);
      this.secondMoment.assign(v);
      // Bias-corrected moments, with ε added to √v̂ as tf.train.adam (and PyTorch) do.
      const mHat = tf.mul(m, this.learningRate / (1 - ADAM_DEFAULTS.beta1 ** this.step));
      const vHat = tf.mul(v, 1 / (1 - ADAM_DEFAULTS.beta2 ** this.step));
      const update = tf.div(mHat, tf.add(tf.sqrt(vHat), ADAM_DEFAULTS.epsilon));
      tf.split(update, this.sizes).forEach((part, i) => {
        const variable = this.variables[i];
        variable.assign(tf.sub(variable, tf.reshape(part, variable.shape)));
      });
    });
  }

  dispose(): void {
    this.firstMoment.dispose();
    this.secondMoment.dispose();
  }
}
