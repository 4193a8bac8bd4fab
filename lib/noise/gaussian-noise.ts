import { ImageSet, Images, asImageSet } from '../data/images';
import { imagesByLibrary } from '../util/traces';
import { SeededRandom } from '../util/random';
import { checkNumberInRange, shown } from '../util/check';

export interface NoiseOptions {
  /** Variance σ² of the noise (the TP's parameter); give this or `std`. */
  variance?: number;
  /** Standard deviation σ of the noise. */
  std?: number;
  /**
   * Instead of one σ for all: each image gets its own σ, drawn log-uniformly in [min, max]
   * (as many images with σ from 0.1 to 0.2 as from 0.5 to 1), to train one denoiser for all levels.
   */
  stdRange?: [number, number];
  seed?: number;
  /** Clip the noisy images to [0, 1] (default false: x = y + n exactly). */
  clip?: boolean;
}

/** x = y + n, avec n ~ N(0, σ²) tiré indépendamment pour chaque pixel, par un générateur à graine. */
export function addGaussianNoise(clean: Images, options: NoiseOptions): ImageSet {
  const images = asImageSet(clean);
  const given = [options.variance, options.std, options.stdRange].filter((v) => v !== undefined).length;
  if (given !== 1) throw new Error('addGaussianNoise attend exactement une des options variance, std ou stdRange');
  const random = new SeededRandom(options.seed ?? 0);
  const nextStd = noiseLevels(options, random);
  const pixels = new Float32Array(images.pixels.length);
  const size = images.height * images.width;
  for (let start = 0; start < pixels.length; start += size) {
    const std = nextStd();
    for (let i = start; i < Math.min(start + size, pixels.length); i++) {
      const value = images.pixels[i] + std * random.normal();
      pixels[i] = options.clip ? Math.min(1, Math.max(0, value)) : value;
    }
  }
  return imagesByLibrary('lab.addGaussianNoise', { ...images, pixels });
}

/** The σ of the next image: one for all, or one drawn per image for `stdRange`. */
function noiseLevels(options: NoiseOptions, random: SeededRandom): () => number {
  if (options.stdRange !== undefined) {
    const range = options.stdRange;
    if (!Array.isArray(range) || range.length !== 2) throw new Error(`stdRange doit être [min, max], reçu ${shown(range)}`);
    const low = checkNumberInRange('stdRange[0]', range[0], 1e-6, 100);
    const high = checkNumberInRange('stdRange[1]', range[1], low, 100, ' (au moins stdRange[0])');
    return () => low * Math.pow(high / low, random.next());
  }
  const std =
    options.std !== undefined
      ? checkNumberInRange('std', options.std, 0, 100)
      : Math.sqrt(checkNumberInRange('variance', options.variance, 0, 10000));
  return () => std;
}
