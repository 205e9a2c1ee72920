"""Builds, reads and scans release the GIL: another Python thread keeps
running while they work. (With the GIL held for the whole call, the other
thread would not run a single iteration until it returned.)"""

import threading
import time

from revitpy_package_manager import _native


def _other_thread_runs_during(call):
    done = threading.Event()
    took = []

    def work():
        started = time.perf_counter()
        try:
            call()
        finally:
            took.append(time.perf_counter() - started)
            done.set()

    worker = threading.Thread(target=work)
    iterations = 0
    worker.start()
    while not done.is_set():
        iterations += 1
    worker.join()
    return iterations, took[0]


def _big_source(root):
    package = root / "big_addon"
    package.mkdir(parents=True)
    (root / "revitpy.toml").write_text(
        '[package]\nname = "big-addon"\nversion = "1.0.0"\ndescription = "many files"\n'
        'author = "test"\n[package.revit_compatibility]\nmin_version = "2024"\n'
    )
    body = "".join(f"def f{i}(x):\n    return x * {i} + len(str(x))\n\n" for i in range(400))
    for n in range(300):
        (package / f"module_{n}.py").write_text(body)
    return root


def test_build_and_scan_release_the_gil(tmp_path):
    source = _big_source(tmp_path / "src")
    output = tmp_path / "big.rpyx"
    iterations, took = _other_thread_runs_during(lambda: _native.build_package(str(source), str(output)))
    assert took > 0.02, took
    assert iterations > 10_000, (iterations, took)
    iterations, took = _other_thread_runs_during(lambda: _native.check_package(str(output), None, True))
    assert took > 0.02, took
    assert iterations > 10_000, (iterations, took)
