"""The Python API (issue 23): RPYXBuilder, RPYXExtractor, RPYXValidator and
SecurityScanner, on the repository's examples, the README's two snippets run
verbatim, hostile archives, a malicious sample written for these tests, and
round trips with the revitpy-install CLI.

Run by scripts/python-api-test (a fresh virtualenv with the wheel installed,
REVITPY_INSTALL_BIN pointing at the CLI)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from conftest import (
    EXAMPLE_FACTS,
    EXAMPLES,
    MALICIOUS_INIT_LINE,
    MALICIOUS_LOADER_LINE,
    MALICIOUS_URL,
    sha256_file,
    source_files,
    write_tree,
)
from revitpy_package_manager.builder.rpyx_format import (
    RPYXBuilder,
    RPYXExtractor,
    RPYXValidator,
)
from revitpy_package_manager.security.desktop_scanner import SecurityScanner

EXAMPLE_NAMES = sorted(EXAMPLE_FACTS)
MIN_YEARS = {
    "family-template-kit": "2024",
    "parameter-sync": "2022",
    "revitpy-utils": "2021",
    "room-exporter": "2023",
    "sheet-publisher": "2022",
    "wall-tools": "2022",
}
META = {"rpyx-manifest.json", "rpyx-build.json"}
SEVERITIES = {"info", "low", "medium", "high", "critical"}

# The original README's two snippets, verbatim.
README_BUILD_SNIPPET = """\
from revitpy_package_manager.builder.rpyx_format import RPYXBuilder

builder = RPYXBuilder("./my-addon-source")
builder.load_manifest()  # From revitpy.toml or pyproject.toml
build_info = builder.build_package("my-addon-1.0.0.rpyx")
"""

README_SCAN_SNIPPET = """\
from revitpy_package_manager.security.desktop_scanner import SecurityScanner

scanner = SecurityScanner()
result = await scanner.scan_package_file("package.rpyx")

if not result.is_safe:
    print(f"Security issues: {result.issues}")
"""

MY_ADDON_MANIFEST = """\
[package]
name = "my-addon"
version = "1.0.0"
description = "The README's example add-in."
author = "Jane Developer"
license = "MIT"

[package.revit_compatibility]
min_version = "2022"

[package.desktop]
package_type = "addon"
"""


def example_sources(name: str) -> dict[str, bytes]:
    files = source_files(EXAMPLES / name)
    return {k: v for k, v in files.items() if "__pycache__" not in k and not k.endswith(".pyc")}


def zip_manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("rpyx-manifest.json"))


def scan(path) -> object:
    return asyncio.run(SecurityScanner().scan_package_file(path))


def parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    now = datetime.now(parsed.tzinfo) if parsed.tzinfo else datetime.now()
    assert abs((now - parsed).total_seconds()) < 86400, f"timestamp {text} is not today"
    return parsed


# ---------------------------------------------------------------- RPYXBuilder


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_load_manifest_reads_each_example(example):
    name, version, package_type, _source = EXAMPLE_FACTS[example]
    manifest = RPYXBuilder(str(EXAMPLES / example)).load_manifest()
    assert isinstance(manifest, dict)
    assert manifest["name"] == name
    assert manifest["version"] == version
    assert manifest["package_type"] == package_type
    assert manifest["author"] == "Example Studio"
    assert manifest["revit_compatibility"]["min_version"] == MIN_YEARS[example]


def test_load_manifest_fields_of_wall_tools():
    m = RPYXBuilder(EXAMPLES / "wall-tools").load_manifest()
    assert m["description"] == "Select, count and tag walls by type from a ribbon button."
    assert m["license"] == "MIT"
    assert m["revit_compatibility"]["max_version"] == "2025"
    assert m["revit_compatibility"]["tested_versions"] == ["2022", "2023", "2024"]
    assert m["entry_points"] == {"main_command": "src/main.py", "ribbon_panel": "src/ribbon.py"}
    assert [d["name"] for d in m["dependencies"]] == ["revitpy-utils"]
    assert m["keywords"] == ["walls", "selection", "tagging"]


def test_load_manifest_pyproject_and_known_issues():
    room = RPYXBuilder(str(EXAMPLES / "room-exporter")).load_manifest()
    assert room["license"] == "Apache-2.0"
    assert room["homepage_url"] == "https://example-studio.test/room-exporter"
    assert room["performance_impact"] == "medium"
    assert [d["name"] for d in room["dependencies"]] == ["revitpy-utils"]
    sheets = RPYXBuilder(str(EXAMPLES / "sheet-publisher")).load_manifest()
    issues = sheets["revit_compatibility"]["known_issues"]
    assert issues[0]["description"] == "PDF export ignores custom paper sizes"
    assert issues[0]["affected_versions"] == ["2022"]


def test_load_manifest_search_order_and_explicit_file(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / "wall-tools", src)
    other = json.loads((EXAMPLES / "sheet-publisher" / "manifest.json").read_text())
    other["entry_points"] = {}
    (src / "manifest.json").write_text(json.dumps(other))
    # revitpy.toml comes first in the search order
    assert RPYXBuilder(str(src)).load_manifest()["name"] == "wall-tools"
    # an explicit file wins
    explicit = RPYXBuilder(str(src)).load_manifest(str(src / "manifest.json"))
    assert explicit["name"] == "sheet-publisher"
    assert explicit["version"] == "2.0.0b1"
    # pyproject.toml comes before package.json
    src2 = tmp_path / "src2"
    shutil.copytree(EXAMPLES / "room-exporter", src2)
    shutil.copy(EXAMPLES / "parameter-sync" / "package.json", src2 / "package.json")
    assert RPYXBuilder(str(src2)).load_manifest()["name"] == "room-exporter"


def test_load_manifest_invalid_names_the_problems(tmp_path):
    write_tree(
        tmp_path,
        {
            "revitpy.toml": '[package]\nname = "bad name!"\nversion = "one.two"\n'
            'description = "x"\nauthor = "a"\nlicense = "MIT"\n',
            "a.py": "x = 1\n",
        },
    )
    with pytest.raises(ValueError) as err:
        RPYXBuilder(str(tmp_path)).load_manifest()
    assert "one.two" in str(err.value)
    assert "bad name!" in str(err.value)


def test_load_manifest_without_manifest(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    with pytest.raises(ValueError):
        RPYXBuilder(str(tmp_path)).load_manifest()


def test_builder_on_missing_folder(tmp_path):
    with pytest.raises(ValueError) as err:
        RPYXBuilder(str(tmp_path / "does-not-exist"))
    assert "does-not-exist" in str(err.value)


def test_build_package_before_load_manifest(tmp_path):
    builder = RPYXBuilder(str(EXAMPLES / "wall-tools"))
    with pytest.raises(ValueError):
        builder.build_package(str(tmp_path / "out.rpyx"))
    assert not (tmp_path / "out.rpyx").exists()


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_validate_structure_of_examples_is_clean(example):
    builder = RPYXBuilder(str(EXAMPLES / example))
    builder.load_manifest()
    assert builder.validate_structure() == []


def test_validate_structure_reports_missing_readme_and_license(tmp_path):
    write_tree(tmp_path, {"revitpy.toml": MY_ADDON_MANIFEST, "addon.py": "x = 1\n"})
    builder = RPYXBuilder(str(tmp_path))
    builder.load_manifest()
    issues = builder.validate_structure()
    assert isinstance(issues, list)
    assert any("README" in i for i in issues), issues
    assert any("LICENSE" in i for i in issues), issues


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_build_package_of_each_example(example, built_examples):
    name, version, package_type, _ = EXAMPLE_FACTS[example]
    path, info = built_examples[example]
    assert path.is_file()
    assert info["package_name"] == name
    assert info["version"] == version
    parse_time(info["build_timestamp"])
    assert info["file_hash"] == sha256_file(path)
    assert info["package_size"] == path.stat().st_size
    assert isinstance(info["validation_issues"], list)

    sources = example_sources(example)
    assert set(info["files_included"]) == set(sources) | {"rpyx-manifest.json"}
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert set(zf.namelist()) == set(sources) | META
        for rel, data in sources.items():
            assert zf.read(rel) == data, rel
        manifest = json.loads(zf.read("rpyx-manifest.json"))
    assert manifest["name"] == name
    assert manifest["version"] == version
    assert manifest["package_type"] == package_type

    loaded = RPYXBuilder(str(EXAMPLES / example)).load_manifest()
    for key in ("name", "version", "description", "author", "license", "revit_compatibility"):
        assert manifest[key] == loaded[key], key


def test_build_package_is_reproducible(tmp_path, built_examples):
    builder = RPYXBuilder(str(EXAMPLES / "wall-tools"))
    builder.load_manifest()
    info = builder.build_package(str(tmp_path / "again.rpyx"))
    assert info["file_hash"] == built_examples["wall-tools"][1]["file_hash"]


def test_build_package_adds_the_suffix(tmp_path):
    builder = RPYXBuilder(EXAMPLES / "revitpy-utils")
    builder.load_manifest()
    info = builder.build_package(tmp_path / "utils")
    out = tmp_path / "utils.rpyx"
    assert out.is_file()
    assert not (tmp_path / "utils").exists()
    assert info["file_hash"] == sha256_file(out)
    # Added to a dotted version, not put in place of its last part.
    builder.build_package(tmp_path / "utils-1.4.1")
    assert (tmp_path / "utils-1.4.1.rpyx").is_file()
    assert not (tmp_path / "utils-1.4.rpyx").exists()


def test_build_package_leaves_out_caches_and_logs(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / "wall-tools", src)
    (src / "src" / "__pycache__").mkdir()
    (src / "src" / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"\x00junk")
    (src / "debug.log").write_text("log\n")
    (src / ".DS_Store").write_bytes(b"x")
    builder = RPYXBuilder(str(src))
    builder.load_manifest()
    info = builder.build_package(str(tmp_path / "w.rpyx"))
    with zipfile.ZipFile(tmp_path / "w.rpyx") as zf:
        names = set(zf.namelist())
    for junk in ("src/__pycache__/main.cpython-311.pyc", "debug.log", ".DS_Store"):
        assert junk not in names
        assert junk not in info["files_included"]
    assert "src/main.py" in names
    # include_dev builds a valid package as well
    dev = builder.build_package(str(tmp_path / "dev.rpyx"), include_dev=True)
    assert dev["file_hash"] == sha256_file(tmp_path / "dev.rpyx")
    assert RPYXExtractor(str(tmp_path / "dev.rpyx")).validate_package()["valid"] is True


# -------------------------------------------------------------- RPYXExtractor


def test_extractor_refuses_missing_and_non_rpyx(tmp_path):
    with pytest.raises(ValueError):
        RPYXExtractor(str(tmp_path / "nothing.rpyx"))
    other = tmp_path / "package.zip"
    other.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    with pytest.raises(ValueError):
        RPYXExtractor(str(other))


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_validate_package_of_each_example(example, built_examples):
    path, _ = built_examples[example]
    result = RPYXExtractor(str(path)).validate_package()
    assert result["valid"] is True
    assert result["issues"] == []
    assert result["manifest"]["name"] == EXAMPLE_FACTS[example][0]
    assert result["manifest"] == zip_manifest(path)
    assert isinstance(result["build_info"], dict) and result["build_info"]
    assert result["file_hash"] == sha256_file(path)
    assert result["file_size"] == path.stat().st_size


def test_validate_package_reports_a_damaged_file(tmp_path, built_examples):
    path = tmp_path / "damaged.rpyx"
    path.write_bytes(built_examples["wall-tools"][0].read_bytes()[:-200])
    try:
        result = RPYXExtractor(str(path)).validate_package()
    except ValueError:
        return
    assert result["valid"] is False
    assert result["issues"]


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_extract_to_writes_the_sources(example, built_examples, tmp_path):
    path, _ = built_examples[example]
    dest = tmp_path / "out" / example  # does not exist yet
    result = RPYXExtractor(str(path)).extract_to(str(dest))
    sources = example_sources(example)
    assert set(result["extracted_files"]) == set(sources)
    assert result["manifest"]["name"] == EXAMPLE_FACTS[example][0]
    parse_time(result["extraction_timestamp"])
    on_disk = source_files(dest)
    assert on_disk == sources


def test_extract_to_refuses_a_non_empty_folder(built_examples, tmp_path):
    path, _ = built_examples["wall-tools"]
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine\n")
    with pytest.raises(ValueError):
        RPYXExtractor(str(path)).extract_to(str(dest))
    assert sorted(p.name for p in dest.iterdir()) == ["keep.txt"]
    with pytest.raises(ValueError):
        RPYXExtractor(str(path)).extract_to(str(dest), overwrite=False)
    (dest / "src").mkdir()
    (dest / "src" / "main.py").write_text("stale\n")
    result = RPYXExtractor(str(path)).extract_to(str(dest), overwrite=True)
    assert "src/main.py" in result["extracted_files"]
    assert (dest / "keep.txt").read_text() == "mine\n"
    assert (dest / "src" / "main.py").read_bytes() == (
        EXAMPLES / "wall-tools" / "src" / "main.py"
    ).read_bytes()
    # extract_to into an empty existing folder needs no overwrite
    empty = tmp_path / "empty"
    empty.mkdir()
    RPYXExtractor(path).extract_to(empty)
    assert (empty / "revitpy.toml").is_file()


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_get_manifest_and_metadata(example, built_examples):
    path, info = built_examples[example]
    name, version, package_type, _ = EXAMPLE_FACTS[example]
    extractor = RPYXExtractor(str(path))
    manifest = extractor.get_manifest()
    assert manifest == zip_manifest(path)
    meta = extractor.get_metadata()
    assert meta["package_file"] == str(path)
    assert meta["file_size"] == path.stat().st_size
    assert meta["file_hash"] == sha256_file(path) == info["file_hash"]
    assert meta["valid"] is True
    assert meta["issues"] == []
    assert meta["manifest"] == manifest
    assert isinstance(meta["build_info"], dict)
    assert meta["package_name"] == name
    assert meta["version"] == version
    assert meta["package_type"] == package_type
    assert meta["revit_compatibility"] == manifest["revit_compatibility"]
    assert meta["revit_compatibility"]["min_version"] == MIN_YEARS[example]
    assert meta["performance_impact"] == manifest["performance_impact"]
    assert meta["requires_admin"] is False


# ------------------------------------------------------------ hostile archives


def hostile_archive(path: Path, evil_name: str) -> Path:
    manifest = {
        "name": "innocent-tools",
        "version": "1.0.0",
        "description": "x",
        "summary": "x",
        "author": "x",
        "author_email": "x@example.test",
        "license": "MIT",
        "package_type": "addon",
        "revit_compatibility": {"min_version": "2022"},
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("rpyx-manifest.json", json.dumps(manifest))
        zf.writestr("innocent/__init__.py", "VALUE = 1\n")
        zf.writestr(zipfile.ZipInfo(evil_name), "print('written outside')\n")
    with zipfile.ZipFile(path) as zf:
        assert evil_name in zf.namelist()  # zipfile kept the name as given
    return path


def regular_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("kind", ["dotdot", "nested-dotdot", "absolute"])
def test_extract_to_refuses_hostile_entries(kind, tmp_path):
    box = tmp_path / "box"
    dest = box / "dest"
    box.mkdir()
    evil_name = {
        "dotdot": "../evil.py",
        "nested-dotdot": "innocent/../../evil.py",
        "absolute": (tmp_path / "abs_evil.py").as_posix(),
    }[kind]
    archive = hostile_archive(tmp_path / "hostile.rpyx", evil_name)
    before = regular_files(tmp_path)
    with pytest.raises(ValueError) as err:
        RPYXExtractor(str(archive)).extract_to(str(dest))
    assert evil_name in str(err.value)
    assert not (box / "evil.py").exists()
    assert not (tmp_path / "evil.py").exists()
    assert not (tmp_path / "abs_evil.py").exists()
    # nothing written anywhere: not outside dest, and (the whole archive is
    # checked before anything is inflated) not inside it either
    assert regular_files(tmp_path) == before


@pytest.mark.parametrize("evil_name", ["../evil.py", "/tmp/abs_evil.py"])
def test_validate_package_flags_hostile_entries(evil_name, tmp_path):
    archive = hostile_archive(tmp_path / "hostile.rpyx", evil_name)
    try:
        result = RPYXExtractor(str(archive)).validate_package()
    except ValueError as err:
        assert evil_name in str(err)
        return
    assert result["valid"] is False
    assert any(evil_name in issue for issue in result["issues"]), result["issues"]


def test_scanner_on_a_hostile_archive(tmp_path):
    archive = hostile_archive(tmp_path / "hostile.rpyx", "../evil.py")
    try:
        result = scan(str(archive))
    except ValueError as err:
        assert "../evil.py" in str(err)
        return
    assert result.is_safe is False
    assert any("../evil.py" in i.description or i.file_path == "../evil.py" for i in result.issues)


# -------------------------------------------------------------- RPYXValidator


@pytest.mark.parametrize(
    "example, year, compatible, tested",
    [
        ("wall-tools", "2023", True, True),  # inside, tested
        ("wall-tools", "2025", True, False),  # inside, untested
        ("wall-tools", "2026", False, False),  # above the maximum
        ("wall-tools", "2021", False, False),  # below the minimum
        ("revitpy-utils", "2030", True, False),  # no maximum, untested
        ("family-template-kit", "2026", True, True),
    ],
)
def test_validate_compatibility(example, year, compatible, tested, built_examples):
    path, _ = built_examples[example]
    result = RPYXValidator.validate_compatibility(str(path), year)
    assert set(result) >= {"compatible", "warnings", "errors", "tested"}
    assert result["compatible"] is compatible
    assert result["tested"] is tested
    if compatible:
        assert result["errors"] == []
    else:
        assert result["errors"], result
        assert any(year in e for e in result["errors"]), result["errors"]
    if compatible and not tested:
        assert result["warnings"], "an untested year should warn"


def test_validate_compatibility_known_issue(built_examples):
    path, _ = built_examples["sheet-publisher"]
    result = RPYXValidator.validate_compatibility(path, "2022")
    assert result["compatible"] is True and result["tested"] is True
    assert any("custom paper sizes" in w for w in result["warnings"]), result["warnings"]
    later = RPYXValidator.validate_compatibility(path, "2024")
    assert not any("custom paper sizes" in w for w in later["warnings"])


def test_validate_compatibility_agrees_with_cli(built_examples, run_cli):
    for example in ("wall-tools", "sheet-publisher"):
        path, _ = built_examples[example]
        for year in range(2020, 2028):
            ours = RPYXValidator.validate_compatibility(str(path), str(year))
            proc = run_cli(
                "registry",
                "validate",
                str(path),
                "--json",
                "--revit-version",
                str(year),
                check=False,
            )
            verdict = json.loads(proc.stdout)["revit_verdict"]["verdict"]
            assert ours["compatible"] == (verdict != "incompatible"), (example, year, verdict)
            assert ours["tested"] == (verdict == "compatible"), (example, year, verdict)


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_security_scan_of_examples(example, built_examples):
    path, _ = built_examples[example]
    result = RPYXValidator.security_scan(str(path))
    assert set(result) >= {"risk_level", "issues", "suspicious_files", "external_connections"}
    assert result["risk_level"] == "low", result
    assert isinstance(result["issues"], list)
    assert isinstance(result["suspicious_files"], list)
    assert isinstance(result["external_connections"], list)


def test_security_scan_of_malicious_sample(malicious_package):
    result = RPYXValidator.security_scan(str(malicious_package))
    assert result["risk_level"] in ("high", "critical"), result
    assert result["issues"]
    assert "src/__init__.py" in json.dumps(result["suspicious_files"], default=str)
    assert "src/loader.py" in json.dumps(result["suspicious_files"], default=str)
    assert MALICIOUS_URL in json.dumps(result["external_connections"], default=str)


# ------------------------------------------------------------ SecurityScanner


def check_issue_shape(issue):
    assert issue.severity in SEVERITIES
    assert isinstance(issue.category, str) and issue.category
    assert isinstance(issue.description, str) and issue.description
    assert isinstance(issue.file_path, str)
    assert issue.line_number is None or isinstance(issue.line_number, int)
    assert issue.code_snippet is None or isinstance(issue.code_snippet, str)


def test_scanner_flags_the_malicious_sample(malicious_package):
    result = scan(str(malicious_package))
    assert result.is_safe is False
    assert result.risk_level in ("high", "critical")
    for issue in result.issues:
        check_issue_shape(issue)
    exfil = [
        i
        for i in result.issues
        if i.file_path == "src/__init__.py"
        and i.line_number == MALICIOUS_INIT_LINE
        and i.severity in ("high", "critical")
    ]
    assert exfil, [(i.file_path, i.line_number, i.severity) for i in result.issues]
    assert any("urlopen" in (i.code_snippet or "") for i in exfil)
    decoded = [
        i
        for i in result.issues
        if i.file_path == "src/loader.py"
        and i.line_number == MALICIOUS_LOADER_LINE
        and i.severity in ("high", "critical")
    ]
    assert decoded, [(i.file_path, i.line_number, i.severity) for i in result.issues]
    assert "exec" in (decoded[0].code_snippet or "")
    with zipfile.ZipFile(malicious_package) as zf:
        python_files = [n for n in zf.namelist() if n.endswith(".py")]
    assert result.files_scanned == len(python_files), python_files
    assert isinstance(result.scan_duration, float)
    assert 0 <= result.scan_duration < 60
    parse_time(result.scan_timestamp)


def test_scanner_accepts_a_path_object(malicious_package):
    result = scan(malicious_package)
    assert result.risk_level in ("high", "critical")


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_scanner_finds_the_examples_safe(example, built_examples):
    path, _ = built_examples[example]
    result = scan(str(path))
    assert result.is_safe is True
    assert result.risk_level in ("low", "medium")
    assert not [i for i in result.issues if i.severity in ("high", "critical")]
    for issue in result.issues:
        check_issue_shape(issue)
    py_files = [k for k in example_sources(example) if k.endswith(".py")]
    assert result.files_scanned == len(py_files)


def test_scanner_refuses_a_missing_file(tmp_path):
    with pytest.raises((ValueError, OSError)):
        scan(str(tmp_path / "missing.rpyx"))


# --------------------------------------------------------------- README snippets


def test_readme_build_snippet(tmp_path, monkeypatch):
    write_tree(
        tmp_path / "my-addon-source",
        {
            "revitpy.toml": MY_ADDON_MANIFEST,
            "README.md": "# my-addon\n",
            "LICENSE": "MIT\n",
            "my_addon/__init__.py": "def hello():\n    return 'hello'\n",
        },
    )
    script = tmp_path / "snippet.py"
    script.write_text(README_BUILD_SNIPPET)
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "my-addon-1.0.0.rpyx"
    assert out.is_file()
    first_hash = sha256_file(out)
    manifest = zip_manifest(out)
    assert manifest["name"] == "my-addon"
    assert manifest["version"] == "1.0.0"
    assert manifest["package_type"] == "addon"
    assert manifest["revit_compatibility"]["min_version"] == "2022"

    # the same text in this process, to look at build_info
    out.unlink()
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(README_BUILD_SNIPPET, str(script), "exec"), namespace)
    build_info = namespace["build_info"]
    assert build_info["package_name"] == "my-addon"
    assert build_info["version"] == "1.0.0"
    assert build_info["file_hash"] == sha256_file(out) == first_hash
    assert "my_addon/__init__.py" in build_info["files_included"]


def run_scan_snippet(folder: Path) -> subprocess.CompletedProcess:
    body = textwrap.indent(README_SCAN_SNIPPET, "    ")
    program = f"import asyncio\n\n\nasync def main():\n{body}\n\nasyncio.run(main())\n"
    script = folder / "scan_snippet.py"
    script.write_text(program)
    return subprocess.run([sys.executable, str(script)], cwd=folder, capture_output=True, text=True)


def test_readme_scan_snippet_on_malicious_package(malicious_package, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    shutil.copy(malicious_package, folder / "package.rpyx")
    proc = run_scan_snippet(folder)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Security issues: ")
    # the issues print with their fields, as the original's dataclasses did
    assert "src/__init__.py" in proc.stdout
    assert "src/loader.py" in proc.stdout


def test_readme_scan_snippet_on_benign_package(built_examples, tmp_path):
    shutil.copy(built_examples["wall-tools"][0], tmp_path / "package.rpyx")
    proc = run_scan_snippet(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


# ------------------------------------------------------- round trips with the CLI


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_python_build_read_by_cli(example, built_examples, run_cli):
    path, info = built_examples[example]
    name, version, _, _ = EXAMPLE_FACTS[example]
    report = json.loads(run_cli("registry", "validate", str(path), "--json").stdout)
    assert report["valid"] is True
    assert report["problems"] == []
    assert report["file_hash"] == info["file_hash"]
    assert report["file_size"] == info["package_size"]
    assert report["manifest"]["name"] == name
    assert report["manifest"]["version"] == version
    sources = example_sources(example)
    recorded = {f["path"]: f["sha256"] for f in report["files"]}
    assert recorded == {k: hashlib.sha256(v).hexdigest() for k, v in sources.items()}


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_cli_build_read_by_extractor(example, tmp_path, run_cli, built_examples):
    name, version, package_type, source = EXAMPLE_FACTS[example]
    out = tmp_path / f"{example}.rpyx"
    built = json.loads(
        run_cli("registry", "build", str(EXAMPLES / example), "--output", str(out), "--json").stdout
    )
    assert built["manifest_source"] == source
    assert built["sha256"] == sha256_file(out)

    extractor = RPYXExtractor(str(out))
    checked = extractor.validate_package()
    assert checked["valid"] is True
    assert checked["file_hash"] == built["sha256"]
    meta = extractor.get_metadata()
    assert (meta["package_name"], meta["version"], meta["package_type"]) == (
        name,
        version,
        package_type,
    )
    dest = tmp_path / "x"
    result = extractor.extract_to(str(dest))
    assert set(result["extracted_files"]) == set(example_sources(example))
    assert source_files(dest) == example_sources(example)
    # one format library behind both: the same source gives the same bytes
    assert built["sha256"] == built_examples[example][1]["file_hash"]
