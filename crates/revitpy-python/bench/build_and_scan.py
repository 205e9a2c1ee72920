"""Times the Python API on this machine's Python standard library.

    python crates/revitpy-python/bench/build_and_scan.py [--max-mb 64] [--runs 3]
        [--include-binaries]

Copies the standard library (sysconfig's "stdlib" path; without site-packages,
test/tests folders and __pycache__, and by default without the compiled parts:
lib-dynload's extension modules and config-*'s static libpython, so the tree is
the library's sources) into a temporary source folder with a revitpy.toml, up
to --max-mb megabytes in walk order. Then, the median of --runs runs each:

- RPYXBuilder(src).build_package(out), against the same files written with
  Python's zipfile (ZIP_DEFLATED, compresslevel=6, as the original builder:
  the manifest, each file, the build record, then the package's sha256);
- SecurityScanner().scan_package_file(out), against what any pure-Python AST
  scanner must do at least: read each .py from the package with zipfile,
  decode it and ast.parse it (no rule is checked, so this is a floor).

Prints a markdown table and the machine's facts. Run it with a release build
of the package (`maturin build --release`, or `pip install crates/revitpy-python`):
a debug build is many times slower.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path

from revitpy_package_manager.builder.rpyx_format import RPYXBuilder
from revitpy_package_manager.security.desktop_scanner import SecurityScanner

SKIP_DIRS = {"site-packages", "dist-packages", "test", "tests", "__pycache__"}
MANIFEST = """\
[package]
name = "stdlib-bench"
version = "1.0.0"
description = "The Python standard library, packaged to time the builder and the scanner."
author = "Benchmark"
license = "PSF-2.0"

[package.revit_compatibility]
min_version = "2022"

[package.desktop]
package_type = "library"
"""


def copy_stdlib(dest: Path, max_bytes: int, include_binaries: bool) -> tuple[int, int, bool]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = total = 0
    capped = False
    for folder, dirs, names in os.walk(root):
        rel_folder = Path(folder).relative_to(root)
        keep = []
        for d in sorted(dirs):
            if d in SKIP_DIRS:
                continue
            if not include_binaries and (d == "lib-dynload" or d.startswith("config-")):
                continue
            keep.append(d)
        dirs[:] = keep
        for name in sorted(names):
            src = Path(folder) / name
            if src.is_symlink() or not src.is_file() or name.endswith((".pyc", ".pyo")):
                continue
            size = src.stat().st_size
            if total + size > max_bytes:
                capped = True
                continue
            target = dest / rel_folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            files += 1
            total += size
    (dest / "revitpy.toml").write_text(MANIFEST)
    return files, total, capped


def zipfile_build(src: Path, out: Path) -> dict:
    """The same files with the standard library's zipfile, as the original
    Python builder wrote them."""
    included = ["rpyx-manifest.json"]
    manifest = {"name": "stdlib-bench", "version": "1.0.0", "package_type": "library"}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("rpyx-manifest.json", json.dumps(manifest, indent=2))
        for path in sorted(src.rglob("*")):
            if path.is_file():
                rel = path.relative_to(src).as_posix()
                zf.write(path, rel)
                included.append(rel)
        build = {"builder_version": "zipfile", "build_info": {"files_included": included}}
        zf.writestr("rpyx-build.json", json.dumps(build, indent=2))
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return {"file_hash": digest, "package_size": out.stat().st_size}


def ast_floor(package: Path) -> int:
    """Read, decode and parse every .py of the package: the least a Python AST
    scanner does."""
    parsed = 0
    with zipfile.ZipFile(package) as zf:
        for info in zf.infolist():
            if info.filename.endswith(".py"):
                text = zf.read(info).decode("utf-8", errors="ignore")
                try:
                    ast.parse(text)
                except (SyntaxError, ValueError):
                    pass
                parsed += 1
    return parsed


def median_time(runs: int, fn) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def speed(ours: float, pure: float) -> str:
    if ours <= pure:
        return f"{pure / ours:.1f}x faster"
    return f"{ours / pure:.1f}x slower"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, default=64.0, help="cap on the copied tree")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--include-binaries",
        action="store_true",
        help="also copy lib-dynload and config-* (compiled modules, static libpython)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rpyx-bench-") as tmp:
        tmp = Path(tmp)
        src = tmp / "stdlib-src"
        files, size, capped = copy_stdlib(src, int(args.max_mb * 1e6), args.include_binaries)
        ours_out = tmp / "ours.rpyx"
        pure_out = tmp / "zipfile.rpyx"

        def build_ours():
            ours_out.unlink(missing_ok=True)
            builder = RPYXBuilder(str(src))
            builder.load_manifest()
            return builder.build_package(str(ours_out))

        def build_pure():
            pure_out.unlink(missing_ok=True)
            return zipfile_build(src, pure_out)

        def scan_ours():
            return asyncio.run(SecurityScanner().scan_package_file(str(ours_out)))

        t_build_ours, info = median_time(args.runs, build_ours)
        t_build_pure, pure_info = median_time(args.runs, build_pure)
        t_scan_ours, scan = median_time(args.runs, scan_ours)
        t_scan_pure, parsed = median_time(args.runs, lambda: ast_floor(ours_out))

        ours_size = info["package_size"]
        pure_size = pure_info["package_size"]
        worst = sum(1 for i in scan.issues if i.severity in ("high", "critical"))

        def row(figure, ours, pure, ratio):
            print(f"| {figure} | {ours} | {pure} | {ratio} |")

        print(
            f"Source: {files} files, {size / 1e6:.1f} MB of "
            f"{sysconfig.get_paths()['stdlib']}"
            + (f" (capped at {args.max_mb:g} MB)" if capped else "")
            + ("" if args.include_binaries else " (without lib-dynload and config-*)")
        )
        print()
        print("| figure | ours | pure-Python zipfile | ratio |")
        print("| --- | ---: | ---: | ---: |")
        row(
            "build_package, seconds (median of %d)" % args.runs,
            f"{t_build_ours:.3f}",
            f"{t_build_pure:.3f}",
            speed(t_build_ours, t_build_pure),
        )
        row(
            "package size, MB",
            f"{ours_size / 1e6:.2f}",
            f"{pure_size / 1e6:.2f}",
            f"{ours_size / pure_size:.3f}",
        )
        row(
            "scan_package_file, seconds (median of %d); pure Python: "
            "zipfile read + ast.parse of each .py only" % args.runs,
            f"{t_scan_ours:.3f}",
            f"{t_scan_pure:.3f}",
            speed(t_scan_ours, t_scan_pure),
        )
        row("files scanned / .py files parsed", str(scan.files_scanned), str(parsed), "")
        row(
            "scan result",
            f"risk {scan.risk_level}, {len(scan.issues)} findings ({worst} high or critical)",
            "",
            "",
        )
        print()
        print(
            f"Machine: {os.cpu_count()} cores ({cpu_model()}), Python "
            f"{platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.system()} {platform.release()}; "
            f"{datetime.now().isoformat(timespec='seconds')}"
        )
        import revitpy_package_manager

        print(f"Package: {Path(revitpy_package_manager.__file__).parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
