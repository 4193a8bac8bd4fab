#!/bin/bash
# The student's JupyterLab in the image. Under JupyterHub (Zero to JupyterHub's KubeSpawner passes
# `jupyterhub-singleuser` as the container's arguments, or sets JUPYTERHUB_API_TOKEN) it is the
# single-user server; alone (podman run -p 8888:8888 …), JupyterLab on port 8888, its other arguments
# passed on. Either way, the kit's missing files are copied into ~/tp5 first (never over the student's).
set -euo pipefail
mkdir -p "$HOME/tp5"
for file in /opt/tp5-kit/*; do
  [ -e "$HOME/tp5/$(basename "$file")" ] || cp "$file" "$HOME/tp5/"
done
config=/opt/tp5/session/jupyter_server_config.py
case "${1:-}" in
  jupyterhub-singleuser) exec "$@" --config="$config" ;;
  -* | "") ;;
  *) exec "$@" ;;
esac
if [ -n "${JUPYTERHUB_API_TOKEN:-}" ]; then
  exec jupyterhub-singleuser --config="$config" "$@"
fi
echo "[tp5] JupyterLab démarre : ouvrez l'adresse http://127.0.0.1:8888/lab?token=… affichée ci-dessous."
exec jupyter lab --config="$config" --ip=0.0.0.0 --port=8888 --no-browser --ServerApp.root_dir="$HOME" \
  --ServerApp.default_url=/lab/tree/tp5/LISEZ-MOI.md "$@"
