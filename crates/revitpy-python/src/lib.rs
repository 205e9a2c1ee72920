//! `revitpy_package_manager._native`: the Rust side of the Python API.
//!
//! Each function releases the GIL while it builds, reads or scans (other
//! Python threads run meanwhile) and answers a JSON document as text, or
//! raises `ValueError` with the reason. The classes users import
//! (`RPYXBuilder`, `RPYXExtractor`, `RPYXValidator`, `SecurityScanner`) are
//! Python, in `python/revitpy_package_manager/`, over these functions.

mod api;

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The manifest of a source folder as JSON: `{file, manifest, problems}`.
#[pyfunction]
#[pyo3(signature = (source_dir, manifest_file=None))]
fn load_manifest(py: Python<'_>, source_dir: PathBuf, manifest_file: Option<PathBuf>) -> PyResult<String> {
    py.detach(move || api::load_manifest(&source_dir, manifest_file.as_deref())).map_err(PyValueError::new_err)
}

/// Builds a package: `{output, manifest_file, manifest, sha256, size, files, uncompressed_bytes, warnings}`.
#[pyfunction]
#[pyo3(signature = (source_dir, output, include_dev=false))]
fn build_package(py: Python<'_>, source_dir: PathBuf, output: PathBuf, include_dev: bool) -> PyResult<String> {
    py.detach(move || api::build_package(&source_dir, &output, include_dev)).map_err(PyValueError::new_err)
}

/// Opens, verifies and optionally scans a package: `{file_size,
/// file_sha256, valid, compatible, manifest, build_info, problems, files,
/// revit_verdict, scan}`.
#[pyfunction]
#[pyo3(signature = (path, revit_year=None, scan=false))]
fn check_package(py: Python<'_>, path: PathBuf, revit_year: Option<u64>, scan: bool) -> PyResult<String> {
    py.detach(move || api::check_package(&path, revit_year, scan)).map_err(PyValueError::new_err)
}

/// Extracts a package's files: `{files, manifest}`.
#[pyfunction]
#[pyo3(signature = (path, destination, overwrite=false))]
fn extract(py: Python<'_>, path: PathBuf, destination: PathBuf, overwrite: bool) -> PyResult<String> {
    py.detach(move || api::extract(&path, &destination, overwrite)).map_err(PyValueError::new_err)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(build_package, m)?)?;
    m.add_function(wrap_pyfunction!(check_package, m)?)?;
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
