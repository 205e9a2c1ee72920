"""The Rust side of the API. Each function releases the GIL while it works
and answers a JSON document as text, or raises ValueError with the reason.
Use the classes of ``builder.rpyx_format`` and ``security.desktop_scanner``
rather than these."""

import os
from typing import Optional, Union

_Path = Union[str, "os.PathLike[str]"]

__version__: str

def load_manifest(source_dir: _Path, manifest_file: Optional[_Path] = None) -> str:
    """``{file, manifest, problems}`` for a source folder's manifest."""

def build_package(source_dir: _Path, output: _Path, include_dev: bool = False) -> str:
    """Builds a package: ``{output, manifest_file, manifest, sha256, size, files, uncompressed_bytes, warnings}``."""

def check_package(path: _Path, revit_year: Optional[int] = None, scan: bool = False) -> str:
    """``{file_size, file_sha256, valid, compatible, manifest, build_info, problems, files, revit_verdict, scan}``."""

def extract(path: _Path, destination: _Path, overwrite: bool = False) -> str:
    """Extracts a package's files: ``{files, manifest}``."""
