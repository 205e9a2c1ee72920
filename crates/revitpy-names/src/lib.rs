//! Validated names and versions shared by every part of RevitPy Registry.
//!
//! Each type here can only be built through a constructor that checks and
//! normalises its input, so code that holds one never checks it again:
//!
//! * [`PackageName`]: a package name, compared in its normalised form
//!   (lowercase, runs of `-`, `_` and `.` folded to one `-`);
//! * [`Version`] and [`VersionSpecifiers`]: PEP 440, from `pep440_rs`;
//! * [`latest`]: which version a package shows as its latest, the one rule
//!   for the registry, the local index and the client;
//! * [`RevitYear`] and [`RevitRange`]: Revit versions as numbers, never strings;
//! * [`Sha256`]: a file's hash, 64 lowercase hex digits;
//! * [`PackageType`], [`PerformanceImpact`] and [`ScanStatus`]: the closed
//!   sets of words a release carries, as enums;
//! * [`portable_path`]: relative paths that every supported OS (Windows above
//!   all, where Revit runs) can hold;
//! * [`windows_case`]: which names Windows holds as one (NTFS's uppercase);
//! * [`control_chars`]: characters that must not reach a terminal from text
//!   a publisher wrote (escapes, bidirectional overrides).
//!
//! Nothing here does I/O.

pub mod control_chars;
mod kinds;
mod latest;
pub mod package_name;
pub mod portable_path;
mod revit;
mod sha256;
pub mod timestamp;
mod version;
pub mod windows_case;

pub use kinds::{PackageType, PerformanceImpact, ScanStatus};
pub use latest::latest;
pub use package_name::{PackageName, PackageNameError};
pub use revit::{RevitRange, RevitRangeError, RevitYear, RevitYearError};
pub use sha256::{Sha256, Sha256Error};
pub use version::{Version, VersionError, VersionSpecifiers, VersionSpecifiersError, canonical_version};
