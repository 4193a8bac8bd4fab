"""Each home's own disk (hub/disks.py): a bound the kernel enforces, space that comes back, a bound that
grows without loss, an earlier home's files carried over, its use read mounted or not."""
import errno
import os
import pathlib

import pytest

from hub import disks
from hub.disks import HomeDisk

WHY_NOT = "the homes' disks need root (loop devices, mount)" if os.geteuid() != 0 else disks.unavailable()
pytestmark = pytest.mark.skipif(bool(WHY_NOT), reason=WHY_NOT or "")
MIB = 1024 ** 2


@pytest.fixture
def place(tmp_path):
    home = tmp_path / "homes" / "alice"
    yield tmp_path, home
    if os.path.ismount(home):
        HomeDisk(tmp_path / "x", home, 0, 0, 0).unmount()


def disk(tmp_path: pathlib.Path, home: pathlib.Path, size: int) -> HomeDisk:
    return HomeDisk(tmp_path / "etat" / "disques" / "alice.ext4", home, size, 4242, 4242)


def test_a_write_past_the_bound_fails_with_enospc_and_space_comes_back(place):
    tmp_path, home = place
    home_disk = disk(tmp_path, home, 64 * MIB)
    home_disk.ensure()
    home_disk.mount()
    assert os.stat(home).st_uid == 4242 and not (home / "lost+found").exists()
    with pytest.raises(OSError) as error:
        with open(home / "gros.bin", "wb") as out:
            for _ in range(80):
                out.write(b"x" * MIB)
                out.flush()
                os.fsync(out.fileno())
    assert error.value.errno == errno.ENOSPC
    used, total = home_disk.usage()
    assert total <= 64 * MIB and used > total - 2 * MIB
    (home / "gros.bin").unlink()
    (home / "petit.txt").write_text("encore de la place")
    assert home_disk.usage()[0] < 2 * MIB
    # The image is sparse: the machine holds what is written, not the bound.
    assert os.stat(home_disk.image).st_blocks * 512 < 64 * MIB


def test_a_larger_bound_grows_the_disk_keeping_its_files_and_usage_reads_unmounted(place):
    tmp_path, home = place
    small = disk(tmp_path, home, 64 * MIB)
    small.ensure()
    small.mount()
    (home / "travail.txt").write_text("mon travail")
    small.unmount()
    assert not os.path.ismount(home)
    used_unmounted, total_unmounted = small.usage()
    larger = disk(tmp_path, home, 128 * MIB)
    larger.ensure()
    larger.mount()
    assert (home / "travail.txt").read_text() == "mon travail"
    used, total = larger.usage()
    assert total > 100 * MIB > total_unmounted
    assert abs(used - used_unmounted) < MIB


def test_a_home_made_before_disks_is_carried_over_and_kept_aside(place):
    tmp_path, home = place
    (home / "tp5").mkdir(parents=True)
    (home / "tp5" / "01.ipynb").write_text("{}")
    home_disk = disk(tmp_path, home, 64 * MIB)
    home_disk.ensure()
    home_disk.mount()
    assert (home / "tp5" / "01.ipynb").read_text() == "{}"
    kept = list((tmp_path / "etat" / "anciens-dossiers").iterdir())
    assert len(kept) == 1 and (kept[0] / "tp5" / "01.ipynb").exists()


def test_an_earlier_home_larger_than_the_bound_changes_nothing(place):
    tmp_path, home = place
    home.mkdir(parents=True)
    (home / "gros.bin").write_bytes(b"x" * 80 * MIB)
    with pytest.raises(disks.DiskError) as error:
        disk(tmp_path, home, 64 * MIB).ensure()
    assert "ne tient pas dans" in str(error.value) and "rien n'a été changé" in str(error.value)
    assert (home / "gros.bin").stat().st_size == 80 * MIB
    assert not (tmp_path / "etat" / "disques" / "alice.ext4").exists()
