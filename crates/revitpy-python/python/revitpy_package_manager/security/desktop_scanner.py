"""The original project's ``SecurityScanner``: ``await
SecurityScanner().scan_package_file(path)``, answered by the registry's
static scanner (the one every upload goes through), which reads every
Python file of the package without running any of it.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import List, Union

from .. import _native

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["SecurityIssue", "ScanResult", "SecurityScanner"]

# Levels at which a package is not safe: what the scanner rates high or
# critical is code that reaches secrets, the network or the system in ways
# an add-in has no business doing.
_UNSAFE = ("high", "critical")


@dataclass
class SecurityIssue:
    """One finding: how bad, what kind, where, and the code."""

    severity: str
    category: str
    description: str
    file_path: str
    line_number: int
    code_snippet: str
    #: The scanner's rule.
    rule: str = ""
    #: For high and critical findings, the chain of facts behind the level.
    because: List[str] = field(default_factory=list)


@dataclass
class ScanResult:
    """What a scan found in one package."""

    package_path: str
    #: low, medium, high or critical.
    risk_level: str
    issues: List[SecurityIssue]
    #: False when the risk is high or critical, or the package could not be
    #: read and scanned.
    is_safe: bool
    #: Python source files in the package.
    files_scanned: int
    #: Seconds.
    scan_duration: float
    #: ISO 8601, UTC.
    scan_timestamp: str


def _python_files(files: List[str]) -> int:
    """How many of the package's files are Python sources, as the original
    counted ``files_scanned`` (the scanner reads the others too: compiled
    Python, scripts, binaries are judged by what they are)."""
    return sum(1 for name in files if name.lower().endswith((".py", ".pyw")))


class SecurityScanner:
    """Scans ``.rpyx`` packages with the registry's scanner."""

    async def scan_package_file(self, package_path: PathLike) -> ScanResult:
        """Scans the package on a worker thread (the scan releases the GIL)
        and returns a :class:`ScanResult`. Raises ``ValueError`` when the
        file cannot be read as a package (the reason names the entry for a
        hostile archive)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.scan_package_file_sync, package_path)

    def scan_package_file_sync(self, package_path: PathLike) -> ScanResult:
        """:meth:`scan_package_file` without an event loop."""
        path = os.fspath(package_path)
        started = time.perf_counter()
        when = datetime.now(timezone.utc).isoformat()
        checked = json.loads(_native.check_package(path, None, True))
        duration = time.perf_counter() - started
        report = checked["scan"]
        if report is None or "error" in report:
            why = [p["text"] for p in checked["problems"] if p["error"]]
            if report is not None:
                why.append(report["error"])
            issues = [SecurityIssue("high", "package", text, path, 0, "") for text in why]
            return ScanResult(path, "high", issues, False, _python_files(checked["files"]), duration, when)
        issues = [
            SecurityIssue(
                severity=f["severity"],
                category=f["category"],
                description=f["message"],
                file_path=f["file"],
                line_number=f["line"],
                code_snippet=f["snippet"],
                rule=f["rule"],
                because=f.get("because", []),
            )
            for f in report["findings"]
        ]
        risk = report["risk_level"]
        safe = risk not in _UNSAFE and checked["valid"]
        return ScanResult(path, risk, issues, safe, _python_files(checked["files"]), duration, when)
