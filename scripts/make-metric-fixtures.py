"""Writes test/fixtures/metrics.json: reference values of SSIM, Gaussian blur and 3x3 median
computed by scikit-image and SciPy, for the metric tests. Run once, in any environment with
scikit-image (it is not a dependency of the project):

    python -m venv /tmp/fixtures && /tmp/fixtures/bin/pip install scikit-image
    /tmp/fixtures/bin/python scripts/make-metric-fixtures.py
"""
import json
import pathlib

import numpy as np
import scipy.ndimage as ndi
import skimage
from skimage.metrics import structural_similarity

rng = np.random.default_rng(2004)
size = 28


def smooth_digit_like():
    """A blurred random stroke pattern, closer to MNIST than uniform noise."""
    canvas = np.zeros((size, size))
    for _ in range(6):
        y, x = rng.integers(4, size - 4, 2)
        canvas[y - 2:y + 2, x - 2:x + 2] = 1.0
    return np.clip(ndi.gaussian_filter(canvas, 1.2) * 2.5, 0, 1)


def pair(kind):
    reference = smooth_digit_like()
    if kind == "noisy":
        candidate = reference + rng.normal(0, 0.2, reference.shape)
    elif kind == "blurred":
        candidate = ndi.gaussian_filter(reference, 1.5)
    elif kind == "unrelated":
        candidate = smooth_digit_like()
    elif kind == "uniform":
        reference = rng.random((size, size))
        candidate = rng.random((size, size))
    else:  # identical
        candidate = reference.copy()
    return reference.astype(np.float32), candidate.astype(np.float32)


cases = []
for kind in ["noisy", "blurred", "unrelated", "uniform", "identical", "noisy", "blurred"]:
    a, b = pair(kind)
    value = structural_similarity(
        a.astype(np.float64), b.astype(np.float64),
        gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1,
    )
    cases.append({"kind": kind, "a": a.ravel().tolist(), "b": b.ravel().tolist(), "ssim": float(value)})

filter_input = (smooth_digit_like() + rng.normal(0, 0.3, (size, size))).astype(np.float32)
fixtures = {
    "generator": f"scikit-image {skimage.__version__}, scipy {__import__('scipy').__version__}",
    "height": size,
    "width": size,
    "ssim": cases,
    "filters": {
        "input": filter_input.ravel().tolist(),
        "gaussianSigma1": ndi.gaussian_filter(filter_input.astype(np.float64), 1.0, mode="reflect").ravel().tolist(),
        "median3x3": ndi.median_filter(filter_input, size=3, mode="reflect").ravel().tolist(),
    },
}
out = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "metrics.json"
out.write_text(json.dumps(fixtures))
print(f"wrote {out}")
