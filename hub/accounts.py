"""One Unix account per person of the roster, `tp5-<identifier>`, with a home of its own in the class
folder (mode 0700). The prefix keeps an identifier such as `root` or `admin` from meaning a system user.
Each person's sandbox sees passwd and group files that list only root and that person, so that no one
can read the class list from /etc (and, with `serve --internet`, its own resolv.conf)."""
from __future__ import annotations

import grp
import os
import pathlib
import pwd
import subprocess
from dataclasses import dataclass

from .layout import ClassFolder
from .roster import Person

PREFIX = "tp5-"


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: pathlib.Path


def unix_name(identifier: str) -> str:
    return PREFIX + identifier


def lookup(identifier: str, folder: ClassFolder) -> Account:
    """The account of a person of the roster (KeyError when it was never made)."""
    entry = pwd.getpwnam(unix_name(identifier))
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid, folder.home(identifier))


def ensure(person: Person, folder: ClassFolder) -> Account:
    """The person's account and home, made where missing; their sandbox's passwd and group files."""
    name = unix_name(person.identifier)
    try:
        pwd.getpwnam(name)
    except KeyError:
        made = subprocess.run(["useradd", "--home-dir", str(folder.home(person.identifier)), "--no-create-home",
                               "--shell", "/bin/bash", "--user-group", "--no-log-init", "--comment", "TP5", name],
                              capture_output=True, text=True)
        if made.returncode != 0:
            raise OSError(f"le compte {name} n'a pas pu être créé : {made.stderr.strip()}")
    account = lookup(person.identifier, folder)
    make_home(account)
    write_identity_files(account, folder.etc(person.identifier))
    return account


def make_home(account: Account) -> None:
    """The home folder, owned by the account and closed to everyone else; a symbolic link or a file in
    its place is refused rather than followed."""
    account.home.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(account.home.parent, 0o711)
    if account.home.is_symlink() or (account.home.exists() and not account.home.is_dir()):
        raise OSError(f"{account.home} n'est pas un dossier : ce compte ne peut pas démarrer")
    account.home.mkdir(mode=0o700, exist_ok=True)
    os.chown(account.home, account.uid, account.gid)
    os.chmod(account.home, 0o700)


def write_identity_files(account: Account, etc: pathlib.Path) -> None:
    etc.mkdir(parents=True, exist_ok=True)
    group = grp.getgrgid(account.gid).gr_name
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n"
                                f"{account.name}:x:{account.uid}:{account.gid}:TP5:{account.home}:/bin/bash\n")
    (etc / "group").write_text(f"root:x:0:\n{group}:x:{account.gid}:\n")
    # With `serve --internet`, slirp4netns answers name queries at this address (hub/spawner.py).
    (etc / "resolv.conf").write_text("nameserver 10.0.2.3\n")
