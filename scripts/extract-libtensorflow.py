"""Lay out the TensorFlow C library from a tensorflow-cpu wheel the way tfjs-node's build expects.

usage: python extract-libtensorflow.py WHEEL DEPS_DIR

DEPS_DIR/lib gets libtensorflow_cc.so.2 (its SONAME, so the name is kept) with the
libtensorflow.so / libtensorflow.so.2 links the addon's build asks for, and
libtensorflow_framework.so.2 with its .so link; DEPS_DIR/include gets the C API headers.
"""
import os
import shutil
import sys
import zipfile

# The C API headers and the few headers they include from elsewhere in the tree.
HEADER_PREFIXES = (
    "tensorflow/c/",
    "tensorflow/core/platform/ctstring",
    "tsl/platform/ctstring",
    "xla/tsl/c/",
)
LIBRARIES = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
LINKS = {
    "libtensorflow.so": "libtensorflow_cc.so.2",
    "libtensorflow.so.2": "libtensorflow_cc.so.2",
    "libtensorflow_framework.so": "libtensorflow_framework.so.2",
}


def copy_member(archive, member, destination):
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    with archive.open(member) as source, open(destination, "wb") as target:
        shutil.copyfileobj(source, target)


def main(wheel, deps):
    lib_dir = os.path.join(deps, "lib")
    include_dir = os.path.join(deps, "include")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for library in LIBRARIES:
            member = "tensorflow/" + library
            if member not in names:
                sys.exit(f"{wheel} has no {member}: is it a tensorflow-cpu wheel for Linux?")
            copy_member(archive, member, os.path.join(lib_dir, library))
        headers = 0
        for member in names:
            relative = member[len("tensorflow/include/"):]
            if member.startswith("tensorflow/include/") and relative.startswith(HEADER_PREFIXES) and not member.endswith("/"):
                copy_member(archive, member, os.path.join(include_dir, relative))
                headers += 1
        if headers == 0:
            sys.exit(f"{wheel} has no C API headers under tensorflow/include/tensorflow/c/")
    for link, target in LINKS.items():
        path = os.path.join(lib_dir, link)
        if os.path.lexists(path):
            os.remove(path)
        os.symlink(target, path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
