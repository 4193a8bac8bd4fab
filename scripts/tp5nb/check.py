"""The checker: re-executes a handed-in notebook in a fresh kernel and grades it question by question.

Saved outputs are never trusted: they are cleared first. After the notebook's own cells, a probe
cell reads the notebook's variables (models, tables, histories, metrics) and prints them as JSON.
"""
import json
import math
import pathlib
import re
from dataclasses import dataclass

import nbformat

from .execute import Execution, clear_outputs, execute

PROBE_MARK = "TP5-CHECK "
NOTEBOOKS_DIR = pathlib.Path(__file__).resolve().parents[2] / "notebooks"

MODEL_INFO = r"""
// Added by the checker: reads the notebook's variables.
const tp5Model = (m: lab.Autoencoder) => ({
  name: m.name, kind: m.kind, activation: m.activation, params: m.model.countParams(), codeShape: m.codeShape,
  outputShape: (m.model.outputs[0].shape as number[]).slice(1),
  layers: [...m.encoder.layers, ...m.decoder.layers].map((l) => (l.outputShape as number[]).slice(1)),
});
const tp5Try = (read: () => unknown) => { try { return read(); } catch (error) { return { error: String(error) }; } };
const tp5History = (h: lab.TrainingHistory) => ({ label: h.label, loss: h.loss, valLoss: h.valLoss });
const tp5Metrics = (r: lab.Evaluation) => ({ name: r.name, ...r.metrics });
const tp5NoiseStats = (noisy: lab.ImageSet | undefined, clean: lab.ImageSet) => {
  if (!noisy) return null;
  let sum = 0, squares = 0, outside = 0;
  for (let i = 0; i < noisy.pixels.length; i++) {
    const n = noisy.pixels[i] - clean.pixels[i];
    sum += n; squares += n * n;
    if (noisy.pixels[i] < 0 || noisy.pixels[i] > 1) outside++;
  }
  const mean = sum / noisy.pixels.length;
  return { mean, std: Math.sqrt(squares / noisy.pixels.length - mean * mean), outside };
};
"""

# One probe cell per value: a variable the notebook never declared (a failed cell) only loses its own.
PROBES = {
    1: {
        "models": "denseModels.map(tp5Model)",
        "tables": "denseTables.map((t) => ({ name: t.name, total: t.totalParams }))",
        "histories": "denseHistories.map(tp5History)",
        "results": "denseResults.map(tp5Metrics)",
    },
    2: {
        "conv": "conv ? tp5Model(conv) : null",
        "table": "({ name: convTable.name, total: convTable.totalParams })",
        "models": "allModels.map(tp5Model)",
        "histories": "histories.map(tp5History)",
        "results": "results.map(tp5Metrics)",
    },
    3: {
        "sigma": "SIGMA",
        "clip": "CLIP",
        "trainNoise": "tp5NoiseStats(noisyTrain, data.train)",
        "testNoise": "tp5NoiseStats(noisyTest, data.test)",
        "denoiser": "denoiser ? tp5Model(denoiser) : null",
        "history": "tp5History(denoiseHistory)",
        "results": "denoising.map(tp5Metrics)",
    },
}


def probe_cells(part: int) -> list:
    cells = [nbformat.v4.new_code_cell(MODEL_INFO.strip())]
    for key, expression in PROBES[part].items():
        source = f'console.log("{PROBE_MARK}" + JSON.stringify({{ {key}: tp5Try(() => {expression}) }}));'
        cells.append(nbformat.v4.new_code_cell(source))
    return cells


IMAGE = [28, 28, 1]
DENSE_PARAMS = {"dense1": 101200, "dense2": 218192}
CONV_PARAMS = 210369
CONV_SHAPES = [[14, 14, 16], [7, 7, 32], [1, 1, 64], [7, 7, 32], [14, 14, 16], [28, 28, 1]]


@dataclass
class Answer:
    question: str
    passed: bool
    detail: str


class Problems:
    """Collects what is wrong with one answer."""

    def __init__(self):
        self.items = []

    def require(self, condition, message):
        if not condition:
            self.items.append(message)
        return condition

    def answer(self, question):
        return Answer(question, not self.items, "; ".join(self.items))


def notebook_part(notebook: nbformat.NotebookNode, path: pathlib.Path) -> int:
    part = notebook.metadata.get("tp5", {}).get("part")
    if part in PROBES:
        return part
    match = re.match(r"0?([123])", path.name)
    if match:
        return int(match.group(1))
    raise ValueError(f"{path}: cannot tell which part of the TP this is (metadata tp5.part, or a name starting with 01/02/03)")


def is_list(value):
    return isinstance(value, list)


def finite_losses(history):
    return isinstance(history, dict) and history.get("loss") and all(
        isinstance(v, (int, float)) and math.isfinite(v) for v in history["loss"] + history.get("valLoss", []))


def plausible_metrics(result, problems: Problems):
    """Values a valid evaluation can give: quick mode trains for one short epoch, so these ranges
    catch wrong computations (NaN, another scale, another quantity), not weak models."""
    name = result.get("name", "?")
    problems.require(0 < result.get("mse", -1) < 0.3, f"{name} : MSE {result.get('mse')} hors de ]0 ; 0,3[")
    problems.require(5 < result.get("psnr", 0) < 60, f"{name} : PSNR {result.get('psnr')} dB hors de ]5 ; 60[")
    problems.require(-0.2 < result.get("ssim", -1) <= 1, f"{name} : SSIM {result.get('ssim')} hors de ]-0,2 ; 1]")


def shape_text(shape):
    return "×".join(str(d) for d in shape)


def check_model_shape(info, expected_params, problems: Problems, label):
    problems.require(info.get("outputShape") == IMAGE,
                     f"{label} : sortie {shape_text(info.get('outputShape', []))} au lieu de 28×28×1")
    problems.require(info.get("params") == expected_params,
                     f"{label} : {info.get('params')} paramètres au lieu de {expected_params}")


def grade_part1(probe, counts):
    answers = []
    p = Problems()
    models = probe.get("models")
    if p.require(is_list(models) and len(models) == 3, f"trois modèles attendus dans denseModels, trouvé : {describe(models)}"):
        kinds = [m.get("kind") for m in models]
        p.require(kinds == ["dense1", "dense1", "dense2"], f"architectures {kinds} au lieu de Dense n°1, Dense n°1, Dense n°2")
        for i, m in enumerate(models):
            label = m.get("name", f"modèle {i + 1}")
            if p.require(m.get("codeShape") == [64], f"{label} : code de taille K = {shape_text(m.get('codeShape', []))} au lieu de K = 64"):
                check_model_shape(m, DENSE_PARAMS.get(m.get("kind"), -1), p, label)
        p.require(models[0].get("activation") == "none", "le premier modèle (Dense n°1) doit être sans activation")
    answers.append(p.answer("Question 1.1 — les trois auto-encodeurs denses, K = 64"))

    p = Problems()
    tables = probe.get("tables")
    if p.require(is_list(tables) and len(tables) == 3, "trois tableaux de description attendus"):
        if is_list(models) and len(models) == 3:
            for t, m in zip(tables, models):
                p.require(t.get("total") == m.get("params"), f"{t.get('name')} : total {t.get('total')} ≠ {m.get('params')} paramètres du modèle")
    answers.append(p.answer("Question 1.2 — tableaux de description"))
    return answers + trained_models_answers(probe, counts, 3, (
        "Question 1.4 — entraînement des trois modèles",
        "Question 1.5 — MSE, PSNR et SSIM sur le jeu de test",
        "Question 1.6 — figures et reconstructions",
    ))


def grade_part2(probe, counts):
    answers = []
    p = Problems()
    conv = probe.get("conv")
    if p.require(isinstance(conv, dict) and "params" in conv, f"modèle convolutif absent ({describe(conv)})"):
        layers = conv.get("layers", [])
        last = layers[-1] if layers else []
        if len(last) == 3 and last[2] == 16:
            p.require(False, "la dernière couche sort 16 canaux : le tableau du TP a été lu à la lettre ; les 64/32/16 des "
                             "convolutions transposées sont leurs canaux d'entrée, la sortie doit avoir 1 canal (une image)")
        p.require(layers == CONV_SHAPES, f"sorties des couches {[shape_text(s) for s in layers]} au lieu de {[shape_text(s) for s in CONV_SHAPES]}")
        p.require(conv.get("codeShape") == [1, 1, 64], f"code {shape_text(conv.get('codeShape', []))} au lieu de 1×1×64")
        check_model_shape(conv, CONV_PARAMS, p, "modèle convolutif")
    answers.append(p.answer("Question 2.1 — l'auto-encodeur convolutif et son tableau"))

    p = Problems()
    table = probe.get("table")
    models = probe.get("models")
    if p.require(isinstance(table, dict) and "total" in table, "tableau du modèle convolutif absent"):
        p.require(isinstance(conv, dict) and table["total"] == conv.get("params"), "le total du tableau ne correspond pas au modèle")
    p.require(is_list(models) and len(models) == 4, "les quatre modèles (trois denses et le convolutif) sont attendus dans allModels")
    answers.append(p.answer("Question 2.2 — complexité et taille du code"))
    return answers + trained_models_answers(probe, counts, 4, (
        "Question 2.3 — entraînement",
        "Question 2.4 — comparaison sur le jeu de test",
        "Question 2.5 — reconstructions",
    ))


def grade_part3(probe, counts):
    answers = []
    p = Problems()
    sigma = probe.get("sigma")
    for label, stats in (("d'entraînement", probe.get("trainNoise")), ("de test", probe.get("testNoise"))):
        if p.require(isinstance(stats, dict) and "std" in stats, f"images bruitées {label} absentes"):
            p.require(abs(stats["mean"]) < 0.02, f"bruit {label} : moyenne {stats['mean']:.3f} au lieu de 0")
            p.require(isinstance(sigma, (int, float)) and abs(stats["std"] - sigma) < 0.1 * sigma + 0.01,
                      f"bruit {label} : écart-type {stats['std']:.3f} au lieu de σ = {sigma}")
            if probe.get("clip") is False and sigma and sigma >= 0.2:
                p.require(stats["outside"] > 0, f"bruit {label} : aucune valeur hors de [0, 1] alors que CLIP = false")
    answers.append(p.answer("Question 3.1 — paires (x, y) avec x = y + n"))

    p = Problems()
    denoiser = probe.get("denoiser")
    if p.require(isinstance(denoiser, dict) and "params" in denoiser, f"débruiteur absent ({describe(denoiser)})"):
        check_model_shape(denoiser, CONV_PARAMS, p, "débruiteur (auto-encodeur convolutif)")
    history = probe.get("history")
    p.require(finite_losses(history), "entraînement absent ou perte non finie")
    answers.append(p.answer("Question 3.2 — entraînement du débruiteur sur (x, y)"))

    p = Problems()
    results = probe.get("results")
    if p.require(is_list(results) and len(results) == 4, "quatre lignes attendues : entrée bruitée, deux filtres, auto-encodeur"):
        noisy, denoised = results[0], results[-1]
        p.require(denoised.get("psnr", 0) > noisy.get("psnr", 0),
                  f"le PSNR débruité ({denoised.get('psnr')}) ne dépasse pas celui de l'entrée bruitée ({noisy.get('psnr')})")
        p.require(all(0 < r.get("mse", -1) < 1 for r in results), "MSE hors de ]0 ; 1[")
    answers.append(p.answer("Question 3.3 — mesures du débruitage"))
    answers.append(pictures_answer("Question 3.4 — images propres, bruitées, débruitées", counts, grids=2, figures=3))
    return answers


def describe(value):
    if isinstance(value, dict) and "error" in value:
        return value["error"].split("\n")[0]
    return "rien" if value in (None, [], {}) else json.dumps(value)[:120]


def trained_models_answers(probe, counts, expected, questions):
    """Parts 1 and 2 end alike: the training of their `expected` models, test metrics, pictures."""
    training, metrics, pictures = questions
    return [
        training_answer(training, probe.get("histories"), expected),
        metrics_answer(metrics, probe.get("results"), expected),
        pictures_answer(pictures, counts, grids=2, figures=3),
    ]


def training_answer(question, histories, expected):
    p = Problems()
    if p.require(is_list(histories) and len(histories) == expected, f"{expected} historiques d'entraînement attendus, trouvé : {describe(histories)}"):
        for h in histories:
            p.require(finite_losses(h), f"{h.get('label')} : perte absente ou non finie")
            losses = h.get("valLoss") or h.get("loss") or []
            if len(losses) > 1:
                p.require(losses[-1] < losses[0], f"{h.get('label')} : la perte ne diminue pas ({losses[0]:.4f} → {losses[-1]:.4f})")
    return p.answer(question)


def metrics_answer(question, results, expected):
    p = Problems()
    if p.require(is_list(results) and len(results) == expected, f"{expected} lignes de mesures attendues, trouvé : {describe(results)}"):
        for r in results:
            plausible_metrics(r, p)
    return p.answer(question)


def pictures_answer(question, counts, grids, figures):
    p = Problems()
    p.require(counts["grids"] >= grids, f"{counts['grids']} grille(s) d'images au lieu d'au moins {grids}")
    p.require(counts["figures"] >= figures, f"{counts['figures']} figure(s) au lieu d'au moins {figures}")
    return p.answer(question)


GRADERS = {1: grade_part1, 2: grade_part2, 3: grade_part3}


def count_pictures(notebook):
    grids = figures = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            grids += "image/png" in data and "application/vnd.plotly.v1+json" not in data
            figures += "application/vnd.plotly.v1+json" in data
    return {"grids": grids, "figures": figures}


def read_probes(cells):
    """The values the probe cells printed, merged; keys of the probes that failed are absent."""
    values = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            if PROBE_MARK in text:
                values.update(json.loads(text.split(PROBE_MARK, 1)[1].strip().splitlines()[0]))
    return values


@dataclass
class Report:
    part: int
    answers: list
    errors: list
    probe_found: bool

    @property
    def score(self):
        return sum(a.passed for a in self.answers)

    @property
    def ok(self):
        return not self.errors and self.probe_found and all(a.passed for a in self.answers)


def check(path: pathlib.Path, timeout: int) -> Report:
    notebook = clear_outputs(nbformat.read(path, as_version=4))
    part = notebook_part(notebook, path)
    own_cells = len(notebook.cells)
    notebook.cells.extend(probe_cells(part))
    # Run from the project's notebooks/ folder, wherever the handed-in file is, as a student runs it.
    execution: Execution = execute(notebook, NOTEBOOKS_DIR, timeout, allow_errors=True, quick=True)
    probe = read_probes(execution.notebook.cells[own_cells:])
    # Errors in the probe cells only mean that some of the notebook's variables are missing.
    errors = [e for e in execution.errors if e.index < own_cells]
    answers = GRADERS[part](probe, count_pictures(execution.notebook))
    return Report(part, answers, errors, len(probe) == len(PROBES[part]))


def format_report(path: pathlib.Path, report: Report) -> str:
    lines = [f"Vérification de {path} (partie {report.part}, ré-exécutée dans un noyau neuf, mode rapide)"]
    reported = set()
    for error in report.errors:
        if error.index in reported:
            continue  # the first error of a cell says enough
        reported.add(error.index)
        lines.append(f"  ERREUR cellule {error.index} : {error.message.splitlines()[0] if error.message else error.name}")
    if not report.probe_found:
        lines.append("  ERREUR : des variables du carnet sont introuvables (une cellule a-t-elle échoué ou été renommée ?)")
    for answer in report.answers:
        mark = "✔" if answer.passed else "✘"
        lines.append(f"  {mark} {answer.question}" + ("" if answer.passed else f" : {answer.detail}"))
    lines.append(f"Score : {report.score} / {len(report.answers)}")
    return "\n".join(lines)
