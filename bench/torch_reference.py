"""PyTorch reference for the benchmark: the TP's models, trained and timed the same way.

usage: python bench/torch_reference.py DATA_DIR [--batches 128,256] [--parity EPOCHS [--runs N]] [--mse-target M]

DATA_DIR holds train.f32 / test.f32 (float32 pixels in [0, 1], 784 per image) and noisy-train.f32 /
noisy-test.f32 (the denoising inputs), written by bench/bench.ts so that both sides see the same
data. Prints one JSON object on stdout.
"""
import argparse
import json
import pathlib
import resource
import statistics
import sys
import time

import torch
from torch import nn

# Speeds are the median of this many timed epochs, as on the tfjs side.
TIMED_RUNS = 5

MODELS = ["dense1-linear", "dense1-relu", "dense2", "conv", "conv-denoiser"]


def keras_init(module):
    """Glorot-uniform weights and zero biases, as the library's models start (lib/models/types.ts)."""
    if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def build(name):
    if name.startswith("dense1"):
        code_act = [nn.ReLU()] if name == "dense1-relu" else []
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), *code_act, nn.Linear(64, 784), nn.Sigmoid(),
                              nn.Unflatten(1, (1, 28, 28)))
    elif name == "dense2":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64),
                              nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid(),
                              nn.Unflatten(1, (1, 28, 28)))
    else:
        model = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 7),
            nn.ConvTranspose2d(64, 32, 7), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )
    model.apply(keras_init)
    return model


def load(data_dir, name):
    values = torch.frombuffer(bytearray((data_dir / f"{name}.f32").read_bytes()), dtype=torch.float32)
    return values.reshape(-1, 1, 28, 28)


def train_epoch(model, optimizer, inputs, targets, batch, generator):
    order = torch.randperm(inputs.shape[0], generator=generator)
    loss_fn = nn.MSELoss()
    for start in range(0, inputs.shape[0], batch):
        index = order[start:start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs[index]), targets[index])
        loss.backward()
        optimizer.step()


@torch.no_grad()
def test_mse(model, inputs, targets):
    model.eval()
    total = 0.0
    for start in range(0, inputs.shape[0], 1000):
        total += ((model(inputs[start:start + 1000]) - targets[start:start + 1000]) ** 2).mean().item() * min(1000, inputs.shape[0] - start)
    model.train()
    return total / inputs.shape[0]


def pair(data, name, split):
    clean = data[split]
    return (data[f"noisy-{split}"], clean) if name == "conv-denoiser" else (clean, clean)


def speed(name, data, batch):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model = build(name)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    inputs, targets = pair(data, name, "train")
    train_epoch(model, optimizer, inputs, targets, batch, generator)  # warm-up: one epoch, as on the tfjs side
    train_seconds, infer_seconds = [], []
    for _ in range(TIMED_RUNS):
        started = time.perf_counter()
        train_epoch(model, optimizer, inputs, targets, batch, generator)
        train_seconds.append(time.perf_counter() - started)
    with torch.no_grad():
        model.eval()
        for _ in range(TIMED_RUNS):
            started = time.perf_counter()
            for start in range(0, inputs.shape[0], batch):
                model(inputs[start:start + batch])
            infer_seconds.append(time.perf_counter() - started)
    return {"model": name, "batch": batch, "trainImgPerSec": inputs.shape[0] / statistics.median(train_seconds),
            "inferImgPerSec": inputs.shape[0] / statistics.median(infer_seconds)}


def time_to_mse(data, target, batch, max_epochs):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model = build("conv")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    spent = 0.0
    for epoch in range(1, max_epochs + 1):
        started = time.perf_counter()
        train_epoch(model, optimizer, data["train"], data["train"], batch, generator)
        spent += time.perf_counter() - started
        mse = test_mse(model, data["test"], data["test"])
        if mse <= target:
            return {"seconds": spent, "epochs": epoch, "mse": mse}
    return {"seconds": None, "epochs": max_epochs, "mse": mse}


def parity(data, epochs, batch, runs):
    results = []
    for name in MODELS:
        mses = []
        for run in range(runs):
            torch.manual_seed(run)
            generator = torch.Generator().manual_seed(run)
            model = build(name)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            inputs, targets = pair(data, name, "train")
            for _ in range(epochs):
                train_epoch(model, optimizer, inputs, targets, batch, generator)
            test_inputs, test_targets = pair(data, name, "test")
            mses.append(test_mse(model, test_inputs, test_targets))
        results.append({"model": name, "testMse": mses})
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=pathlib.Path)
    parser.add_argument("--batches", default="128,256")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--mse-target", type=float, default=0.0)
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--parity", type=int, default=0, metavar="EPOCHS")
    parser.add_argument("--runs", type=int, default=5, help="parity: trainings per model")
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    data = {split: load(args.data_dir, split) for split in ["train", "test", "noisy-train", "noisy-test"]}
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    if args.parity:
        out["parity"] = parity(data, args.parity, 128, args.runs)
    else:
        batches, models = [int(b) for b in args.batches.split(",")], args.models.split(",")
        speed(models[0], data, batches[0])  # thrown away: a process's first training is slower, as on the tfjs side
        out["speed"] = [speed(name, data, batch) for batch in batches for name in models]
        if args.mse_target > 0:
            out["timeToMse"] = time_to_mse(data, args.mse_target, 128, args.max_epochs)
    out["peakRssMb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
