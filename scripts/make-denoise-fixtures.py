"""Writes test/fixtures/denoise.json: scikit-image's total-variation (Chambolle) and non-local means
(fast mode) denoising of noisy official MNIST test images, for the tests of lab.tvDenoise and
lab.nlMeansDenoise. Run once, in any environment with scikit-image (not a dependency of the project):

    python -m venv /tmp/fixtures && /tmp/fixtures/bin/pip install scikit-image
    /tmp/fixtures/bin/python scripts/make-denoise-fixtures.py [../shared/datasets/mnist] [--table 500]

With --table N it also prints the mean PSNR of each method on the first N test images.
"""
import argparse
import base64
import gzip
import json
import pathlib

import numpy as np
import skimage
from skimage.metrics import peak_signal_noise_ratio
from skimage.restoration import denoise_nl_means, denoise_tv_chambolle

ROOT = pathlib.Path(__file__).resolve().parent.parent
# σ → parameters: the total-variation weight, and non-local means with h = 0.6σ, 3×3 patches, distance 5.
CASES = {0.1: 0.05, 0.3: 0.2, 0.5: 0.4}
IMAGES = 24


def test_images(folder):
    raw = gzip.decompress((folder / "t10k-images-idx3-ubyte.gz").read_bytes())
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 28, 28)


def nl_means(image, sigma):
    return denoise_nl_means(image, h=0.6 * sigma, sigma=sigma, patch_size=3, patch_distance=5, fast_mode=True)


def encode(array, dtype):
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mnist", nargs="?", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    parser.add_argument("--table", type=int, default=0)
    args = parser.parse_args()
    raw = test_images(pathlib.Path(args.mnist))
    rng = np.random.default_rng(15)
    cases = []
    for sigma, weight in CASES.items():
        clean = raw[:IMAGES].astype(np.float64) / 255
        noisy = (clean + rng.normal(0, sigma, clean.shape)).astype(np.float32)
        tv = [denoise_tv_chambolle(x.astype(np.float64), weight=weight) for x in noisy]
        nlm = [nl_means(x.astype(np.float64), sigma) for x in noisy]
        cases.append({
            "sigma": sigma,
            "tvWeight": weight,
            "nlMeans": {"h": 0.6 * sigma, "sigma": sigma, "patchSize": 3, "patchDistance": 5},
            "noisy": encode(noisy, np.float32),
            "tvPsnr": [float(peak_signal_noise_ratio(c, d, data_range=1)) for c, d in zip(clean, tv)],
            "nlMeansPsnr": [float(peak_signal_noise_ratio(c, d, data_range=1)) for c, d in zip(clean, nlm)],
            "tvFirst": encode(tv[0], np.float32),
            "nlMeansFirst": encode(nlm[0], np.float32),
        })
    fixtures = {
        "generator": f"scikit-image {skimage.__version__}, numpy {np.__version__}",
        "height": 28,
        "width": 28,
        "clean": encode(raw[:IMAGES], np.uint8),
        "cases": cases,
    }
    out = ROOT / "test" / "fixtures" / "denoise.json"
    out.write_text(json.dumps(fixtures))
    print(f"wrote {out}")
    if args.table:
        clean = raw[:args.table].astype(np.float64) / 255
        for sigma, weight in CASES.items():
            noisy = clean + rng.normal(0, sigma, clean.shape)
            tv = np.mean([peak_signal_noise_ratio(c, denoise_tv_chambolle(x, weight=weight), data_range=1) for c, x in zip(clean, noisy)])
            nlm = np.mean([peak_signal_noise_ratio(c, nl_means(x, sigma), data_range=1) for c, x in zip(clean, noisy)])
            print(f"σ = {sigma}: total variation {tv:.2f} dB, non-local means {nlm:.2f} dB")


if __name__ == "__main__":
    main()
