/**
 * npm run bench:denoisers
 *
 * Times the classical denoisers on the 10,000 official test images (σ = 0.5 noise, the TP's level),
 * with the parameters the notebook's search usually picks there, and prints their mean PSNR.
 */
import { addGaussianNoise, compareImages, gaussianBlur, loadDataset, medianFilter3x3, nlMeansDenoise, tvDenoise } from '../lib';
import type { ImageSet } from '../lib';

async function main(): Promise<void> {
  const { test } = await loadDataset({});
  const sigma = 0.5;
  const noisy = addGaussianNoise(test, { std: sigma, seed: 1 });
  const methods: [string, (images: ImageSet) => ImageSet][] = [
    ['Gaussian blur σ = 1', (images) => gaussianBlur(images, 1)],
    ['median 3×3', medianFilter3x3],
    ['total variation, weight 0.4', (images) => tvDenoise(images, { weight: 0.4 })],
    ['non-local means, h = 0.6σ, 3×3, distance 5', (images) => nlMeansDenoise(images, { h: 0.6 * sigma, sigma })],
  ];
  console.log(`${test.count} test images, σ = ${sigma}; noisy input: ${compareImages(test, noisy).psnr.toFixed(2)} dB`);
  for (const [name, denoise] of methods) {
    const start = process.hrtime.bigint();
    const denoised = denoise(noisy);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      `${name.padEnd(45)} ${seconds.toFixed(1).padStart(6)} s  ${((1000 * seconds) / test.count).toFixed(2)} ms/image  ${compareImages(test, denoised).psnr.toFixed(2)} dB`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
