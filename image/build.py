"""Construit les images OCI du TP avec podman (npm run image) : l'environnement de l'étudiant
(tp5-etudiant), et avec --grader celle des corrections (tp5-correcteur). La recette est
image/Containerfile, qui lance l'installation du projet lui-même (scripts/setup.mjs).

  npm run image [-- --base IMAGE] [--grader] [--tag TAG]

Sans --base, la base est debian:bookworm-slim ; là où elle ne se télécharge pas (machine sans accès aux
registres d'images), une base Debian 12 est faite avec debootstrap depuis le miroir Debian.
"""
from __future__ import annotations

import argparse
import pathlib
import resource
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.french_argparse import FrenchArgumentParser  # noqa: E402

STAGING = ROOT / "build" / "image"
DEFAULT_BASE = "docker.io/library/debian:bookworm-slim"
LOCAL_BASE = "localhost/tp5-debian:bookworm"
STUDENT = "localhost/tp5-etudiant"
GRADER = "localhost/tp5-correcteur"


class Stop(Exception):
    """A French sentence that ends the command."""


def say(message: str) -> None:
    print(f"[image] {message}", flush=True)


def hybrid_cgroups() -> bool:
    """Whether this machine's cgroups are half v1, half v2, which crun refuses (« did not get container
    create message ») and runc takes."""
    return pathlib.Path("/sys/fs/cgroup/unified").is_dir() and not pathlib.Path("/sys/fs/cgroup/cgroup.controllers").exists()


def podman() -> list[str]:
    """podman, with runc where crun refuses this machine's cgroups."""
    return ["podman", "--runtime", "runc"] if hybrid_cgroups() else ["podman"]


def limits() -> list[str]:
    """Limits for the containers no higher than this process's own, which a container may not raise."""
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return ["--ulimit", f"nofile={files}:{files}", "--ulimit", "nproc=4096:4096"]


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def stage_inputs() -> None:
    """The build context's two extras: this machine's own certificate authorities (for the build stage
    only) and the shared MNIST files, both under build/image/ (ignored by git)."""
    ca = STAGING / "ca"
    shutil.rmtree(ca, ignore_errors=True)
    ca.mkdir(parents=True)
    for certificate in pathlib.Path("/usr/local/share/ca-certificates").glob("*.crt"):
        shutil.copy(certificate, ca / certificate.name)
    datasets = STAGING / "datasets"
    shutil.rmtree(datasets, ignore_errors=True)
    datasets.mkdir(parents=True)
    shared = ROOT.parent / "shared" / "datasets" / "mnist"
    if shared.is_dir():
        shutil.copytree(shared, datasets / "mnist")
    else:
        say(f"pas de {shared} : l'image téléchargera MNIST au premier usage, ou prendra sa copie embarquée")


def base_image(requested: str | None) -> str:
    if requested:
        return requested
    if run(["podman", "image", "exists", DEFAULT_BASE]).returncode == 0:
        return DEFAULT_BASE
    if run(["podman", "pull", "--quiet", DEFAULT_BASE], capture_output=True).returncode == 0:
        return DEFAULT_BASE
    if run(["podman", "image", "exists", LOCAL_BASE]).returncode == 0:
        return LOCAL_BASE
    if shutil.which("debootstrap") is None:
        raise Stop(f"{DEFAULT_BASE} ne se télécharge pas ici et debootstrap manque (apt-get install debootstrap), "
                   "ou donnez une base avec --base")
    say(f"{DEFAULT_BASE} ne se télécharge pas ici : base Debian 12 faite avec debootstrap ({LOCAL_BASE})")
    rootfs = STAGING / "rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)
    made = run(["debootstrap", "--variant=minbase", "bookworm", str(rootfs), "http://deb.debian.org/debian"],
               capture_output=True)
    if made.returncode != 0:
        raise Stop(f"debootstrap a échoué : {made.stderr.strip().splitlines()[-1:]}")
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    imported = run(["podman", "import", "-", LOCAL_BASE], stdin=tar.stdout, capture_output=True)
    tar.wait()
    shutil.rmtree(rootfs, ignore_errors=True)
    if imported.returncode != 0:
        raise Stop(f"podman import a échoué : {imported.stderr.strip()}")
    return LOCAL_BASE


def build(target: str, tag: str, base: str) -> None:
    say(f"construction de {tag} (cible {target}, base {base}) : quelques minutes")
    built = run([*podman(), "build", *limits(), "--build-arg", f"BASE={base}", "--target", target,
                 "-f", str(ROOT / "image" / "Containerfile"), "-t", tag, str(ROOT)])
    if built.returncode != 0:
        raise Stop(f"la construction de {tag} a échoué (voir ci-dessus)")
    size = run(["podman", "image", "inspect", "--format", "{{.Size}}", tag], capture_output=True).stdout.strip()
    say(f"{tag} : {int(size) / 1e9:.2f} Go" if size.isdigit() else f"{tag} construite")


def main() -> int:
    parser = FrenchArgumentParser(prog="npm run image --", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help=f"l'image de base ({DEFAULT_BASE} par défaut)")
    parser.add_argument("--tag", default="latest", help="l'étiquette des images (latest par défaut)")
    parser.add_argument("--grader", action="store_true", help="construire aussi l'image des corrections")
    args = parser.parse_args()
    try:
        if shutil.which("podman") is None:
            raise Stop("podman n'est pas installé (paquet Debian « podman » : apt-get install podman)")
        if hybrid_cgroups() and shutil.which("runc") is None:
            raise Stop("les cgroups de cette machine sont mi-v1, mi-v2 : crun, le moteur de podman par défaut, les "
                       "refuse, et runc, qui les accepte, n'est pas installé (apt-get install runc)")
        stage_inputs()
        base = base_image(args.base)
        build("student", f"{STUDENT}:{args.tag}", base)
        if args.grader:
            build("grader", f"{GRADER}:{args.tag}", base)
    except Stop as error:
        print(f"[image] erreur : {error}", file=sys.stderr)
        return 2
    say(f"seul : {' '.join([*podman(), 'run', *limits()])} --rm -p 8888:8888 {STUDENT}:{args.tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
