"""The ``.rpyx`` package format: the original project's ``RPYXBuilder``,
``RPYXExtractor`` and ``RPYXValidator``, with the same methods and the same
dictionaries, over the Rust libraries the ``revitpy-install`` CLI and the
registry use. A package built here is byte for byte what
``revitpy-install registry build`` makes of the same folder, and every read
goes through the same limits and refusals (hostile archives raise
``ValueError`` naming the entry; nothing is written outside a destination).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from .. import _native

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["RPYXBuilder", "RPYXExtractor", "RPYXValidator"]

# The files a source folder should have; missing ones are reported, not refused.
_RECOMMENDED = (("README.md", "README file"), ("LICENSE", "License file"))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unique(items: List[str]) -> List[str]:
    return list(dict.fromkeys(items))


class RPYXBuilder:
    """Builds a ``.rpyx`` package from a source folder.

    >>> builder = RPYXBuilder("./my-addon-source")
    >>> builder.load_manifest()  # revitpy.toml, pyproject.toml, package.json, manifest.json or manifest.yaml
    >>> build_info = builder.build_package("my-addon-1.0.0.rpyx")
    """

    def __init__(self, source_directory: PathLike) -> None:
        """Raises ``ValueError`` when ``source_directory`` does not exist."""
        self.source_dir = Path(source_directory)
        self.manifest: Optional[Dict[str, Any]] = None
        self.manifest_file: Optional[str] = None
        self._manifest_problems: List[str] = []
        if not self.source_dir.exists():
            raise ValueError(f"Source directory does not exist: {source_directory}")

    def load_manifest(self, manifest_file: Optional[PathLike] = None) -> Dict[str, Any]:
        """Reads the package manifest and returns it as a dict, as the package
        will hold it (``rpyx-manifest.json``).

        Without ``manifest_file``, the folder's manifest is found in the CLI's
        order: ``revitpy.toml`` (a ``[package]`` table or top-level fields),
        ``pyproject.toml`` (``[project]`` and ``[tool.revitpy]``),
        ``package.json``, ``manifest.json``, ``manifest.yaml``. Raises
        ``ValueError`` naming every problem when the manifest is not valid.
        """
        loaded = json.loads(
            _native.load_manifest(str(self.source_dir), None if manifest_file is None else os.fspath(manifest_file))
        )
        self.manifest = loaded["manifest"]
        self.manifest_file = loaded["file"]
        self._manifest_problems = loaded["problems"]
        return self.manifest

    def _recommended_missing(self) -> List[str]:
        return [
            f"Missing recommended file: {what} ({name})"
            for name, what in _RECOMMENDED
            if not (self.source_dir / name).is_file()
        ]

    def validate_structure(self) -> List[str]:
        """Checks the source folder and returns the issues found (an empty
        list when there are none): the manifest's warnings, missing
        recommended files, and every check the build makes (entry points and
        hooks that name no file, files that look like secrets, sizes), by
        building into a temporary file. Never raises for a bad folder."""
        if self.manifest is None:
            return ["No manifest loaded"]
        issues = list(self._manifest_problems) + self._recommended_missing()
        with tempfile.TemporaryDirectory(prefix="rpyx-validate-") as work:
            try:
                built = json.loads(_native.build_package(str(self.source_dir), os.path.join(work, "check.rpyx")))
                issues += built["warnings"]
            except ValueError as e:
                issues.append(str(e))
        return _unique(issues)

    def build_package(self, output_path: PathLike, include_dev: bool = False) -> Dict[str, Any]:
        """Builds the package at ``output_path`` (``.rpyx`` added to a name that
        does not end with it) and returns ``package_name``, ``version``,
        ``build_timestamp``, ``validation_issues``, ``files_included``,
        ``package_size`` and ``file_hash`` (sha256).

        The package is reproducible (``SOURCE_DATE_EPOCH`` sets its entries'
        time). ``include_dev`` also packages OS litter, ``.tmp`` and ``.log``
        files, as the original did; ``.git*`` and compiled Python never are.
        Raises ``ValueError`` when no manifest was loaded or the build is
        refused (the reason is the message).
        """
        if self.manifest is None:
            raise ValueError("No manifest loaded. Call load_manifest() first.")
        output = Path(output_path)
        if output.suffix != ".rpyx":
            # Added, not substituted: `tools-1.2.0` becomes `tools-1.2.0.rpyx`
            # (the original's with_suffix made it `tools-1.2.rpyx`).
            output = output.with_name(output.name + ".rpyx")
        built = json.loads(_native.build_package(str(self.source_dir), str(output), include_dev))
        if self.manifest_file is not None and built["manifest_file"] != self.manifest_file:
            # The build reads the folder's own manifest; a package built from
            # another than the one loaded would not be what the caller meant.
            output.unlink()
            raise ValueError(
                f"the build reads the folder's manifest ({built['manifest_file']}), "
                f"not {self.manifest_file}: put the manifest in the source folder under a name of the search order"
            )
        manifest = built["manifest"]
        return {
            "package_name": manifest["name"],
            "version": manifest["version"],
            "build_timestamp": datetime.now().isoformat(),
            "validation_issues": _unique(self._manifest_problems + self._recommended_missing() + built["warnings"]),
            "files_included": ["rpyx-manifest.json"] + built["files"],
            "package_size": built["size"],
            "file_hash": built["sha256"],
        }


class RPYXExtractor:
    """Reads a ``.rpyx`` package: checks it, extracts it, and reads its
    manifest and metadata without extracting."""

    def __init__(self, package_path: PathLike) -> None:
        """Raises ``ValueError`` when the file does not exist or is not ``.rpyx``."""
        self.package_path = Path(package_path)
        if not self.package_path.exists():
            raise ValueError(f"Package file not found: {package_path}")
        if self.package_path.suffix != ".rpyx":
            raise ValueError(f"Not a .rpyx file: {package_path}")

    def _check(self, revit_year: Optional[int] = None, scan: bool = False) -> Dict[str, Any]:
        return json.loads(_native.check_package(str(self.package_path), revit_year, scan))

    def validate_package(self) -> Dict[str, Any]:
        """Checks the package as ``revitpy-install registry validate`` does
        (the archive's structure and limits, the manifest, every file
        against the hashes in ``rpyx-build.json``, the files the manifest
        names) and returns ``valid``, ``issues``, ``manifest``, ``build_info``,
        ``file_hash`` and ``file_size``. A file that cannot be read at all is
        not valid, with the reason as its issue."""
        try:
            checked = self._check()
        except ValueError as e:
            return {
                "valid": False,
                "issues": [f"Package validation error: {e}"],
                "manifest": None,
                "build_info": None,
                "file_hash": _sha256_of(self.package_path),
                "file_size": self.package_path.stat().st_size,
            }
        return {
            "valid": checked["valid"],
            "issues": [p["text"] for p in checked["problems"]],
            "manifest": checked["manifest"],
            "build_info": checked["build_info"],
            # Empty when the archive could not be opened: the file's own hash then.
            "file_hash": checked["file_sha256"] or _sha256_of(self.package_path),
            "file_size": checked["file_size"],
        }

    def extract_to(self, destination: PathLike, overwrite: bool = False) -> Dict[str, Any]:
        """Extracts the package's files (not its ``rpyx-*`` metadata) into
        ``destination``, created when missing. A folder that holds files is
        refused unless ``overwrite``; then files of the package replace those
        of the same name. Returns ``extracted_files``, ``manifest`` and
        ``extraction_timestamp``. Raises ``ValueError`` for a package that
        cannot be read, naming the entry for a hostile one (a path out of the
        destination, a link); nothing is written outside ``destination``."""
        extracted = json.loads(_native.extract(str(self.package_path), os.fspath(destination), overwrite))
        return {
            "extracted_files": extracted["files"],
            "manifest": extracted["manifest"],
            "extraction_timestamp": datetime.now().isoformat(),
        }

    def get_manifest(self) -> Dict[str, Any]:
        """The package's manifest (``rpyx-manifest.json``) as a dict; raises
        ``ValueError`` when there is none."""
        manifest = self._check()["manifest"]
        if manifest is None:
            raise ValueError("No manifest found in package")
        return manifest

    def get_metadata(self) -> Dict[str, Any]:
        """What ``validate_package`` says, with the package's name, version,
        type, Revit compatibility, performance impact and admin need."""
        validation = self.validate_package()
        metadata: Dict[str, Any] = {
            "package_file": str(self.package_path),
            "file_size": validation["file_size"],
            "file_hash": validation["file_hash"],
            "valid": validation["valid"],
            "issues": validation["issues"],
            "manifest": validation["manifest"],
            "build_info": validation["build_info"],
        }
        manifest = validation["manifest"]
        if isinstance(manifest, dict):
            metadata.update(
                {
                    "package_name": manifest.get("name"),
                    "version": manifest.get("version"),
                    "package_type": manifest.get("package_type", "addon"),
                    "revit_compatibility": manifest.get("revit_compatibility", {}),
                    "performance_impact": manifest.get("performance_impact", "unknown"),
                    "requires_admin": manifest.get("requires_admin", False),
                }
            )
        return metadata


class RPYXValidator:
    """Checks of a package for a Revit version, and its security scan."""

    @staticmethod
    def validate_compatibility(package_path: PathLike, revit_version: Union[str, int]) -> Dict[str, Any]:
        """Judges the package for one Revit year, by the rule the CLI and the
        registry apply: ``compatible`` (False only outside the declared
        range), ``errors`` (why not), ``warnings`` (not tested with that year,
        known issues that apply), ``tested``."""
        result: Dict[str, Any] = {"compatible": True, "warnings": [], "errors": [], "tested": False}
        try:
            year = int(str(revit_version).strip())
        except ValueError:
            result["warnings"].append(f"Could not parse Revit version `{revit_version}`")
            return result
        RPYXExtractor(package_path)  # the same refusals for a missing or misnamed file
        try:
            verdict = json.loads(_native.check_package(os.fspath(package_path), year, False))["revit_verdict"]
        except ValueError as e:
            # A year outside what Revit has had, or a package that cannot be read.
            result["compatible"] = False
            result["errors"].append(str(e))
            return result
        if verdict is None:
            result["compatible"] = False
            result["errors"].append("the package's manifest could not be read")
            return result
        if verdict["verdict"] == "incompatible":
            result["compatible"] = False
            result["errors"] += verdict["reasons"]
        elif verdict["verdict"] == "untested":
            result["warnings"] += verdict["reasons"]
        result["tested"] = verdict["verdict"] == "compatible"
        result["warnings"] += [f"Known issue: {issue}" for issue in verdict["known_issues"]]
        return result

    @staticmethod
    def security_scan(package_path: PathLike) -> Dict[str, Any]:
        """Scans the package's Python with the registry's scanner and returns
        ``risk_level`` (low, medium, high or critical), ``issues`` (one line
        per finding), ``suspicious_files`` (``file``, ``line``, ``pattern``:
        the rule, ``description``, ``severity``) and ``external_connections``
        (the addresses the code contacts). A package that fails validation
        is high risk, as in the original."""
        result: Dict[str, Any] = {"risk_level": "low", "issues": [], "suspicious_files": [], "external_connections": []}
        try:
            checked = json.loads(_native.check_package(os.fspath(package_path), None, True))
        except ValueError as e:
            result["risk_level"] = "high"
            result["issues"].append(f"Security scan failed: {e}")
            return result
        report = checked["scan"]
        if not checked["valid"] or report is None or "error" in report:
            result["risk_level"] = "high"
            result["issues"].append("Package failed basic validation")
            result["issues"] += [p["text"] for p in checked["problems"] if p["error"]]
            if report is not None and "error" in report:
                result["issues"].append(f"Security scan failed: {report['error']}")
            return result
        result["risk_level"] = report["risk_level"]
        for finding in report["findings"]:
            result["suspicious_files"].append(
                {
                    "file": finding["file"],
                    "line": finding["line"],
                    "pattern": finding["rule"],
                    "description": finding["message"],
                    "severity": finding["severity"],
                }
            )
            result["issues"].append(f"{finding['message']} in {finding['file']}")
        result["external_connections"] = report["capabilities"]["network"]
        return result
