"""The student's files in JupyterLab, on the class server: a save or a checkpoint past the home's bound
is refused in French, nothing lost (the file as it was, no half-written copy left)."""
from __future__ import annotations

import errno
import os
from typing import Any

from jupyter_server.services.contents.fileio import path_to_intermediate
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web

from common.units import french_size


def full_disk(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) is a write past the home's bound."""
    while error is not None:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        error = error.__cause__ or error.__context__
    return False


FULL_DISK = ("votre dossier est plein ({used} utilisés sur {size}) : rien n'a été enregistré, et la version "
             "précédente est intacte. Supprimez des fichiers dont vous n'avez plus besoin (clic droit › "
             "Supprimer dans l'explorateur, ou rm dans un terminal), puis enregistrez de nouveau")


class HomeContentsManager(AsyncLargeFileManager):
    """JupyterLab's files in the student's home, whose size is bounded (the class server's disk per home, hub/disks.py): a save or a
    checkpoint past the bound is refused with a French sentence saying what to do (HTTP 507), where
    Jupyter says « Unexpected error while saving file: … [Errno 28] No space left on device »."""

    def full(self) -> web.HTTPError:
        stats = os.statvfs(self.root_dir)
        used, size = (stats.f_blocks - stats.f_bfree) * stats.f_frsize, stats.f_blocks * stats.f_frsize
        return web.HTTPError(507, FULL_DISK.format(used=french_size(used), size=french_size(size)))

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        os_path = self._get_os_path(path)
        existed = os.path.exists(os_path)
        try:
            return dict(await super().save(model, path))
        except Exception as error:
            if not full_disk(error):
                raise
            # Jupyter's writing either never touched the file or put it back, but leaves a new file
            # half written, and a copy of an earlier one half made: neither is kept.
            backup = path_to_intermediate(os_path)
            for leftover in ([os_path] if not existed else []) + ([backup] if existed else []):
                if os.path.isfile(leftover):
                    os.remove(leftover)
            raise self.full() from None

    async def create_checkpoint(self, path: str) -> dict[str, Any]:
        try:
            return dict(await super().create_checkpoint(path))
        except Exception as error:
            if full_disk(error):
                raise self.full() from None
            raise
