//! Relative paths that every OS the client runs on can hold.
//!
//! Packages are installed on Windows, where Revit runs, so a path inside a
//! package must be a valid Windows path as well as a safe one: no absolute
//! paths, drive letters, `..`, backslashes (a `\` is a separator on Windows
//! and a plain character elsewhere, so `a\..\..\x` hides a traversal), device
//! names (`CON`, `NUL`, `COM1`...), trailing dots or spaces (Windows drops
//! them, so `a.` and `a` collide), or the characters Windows forbids. Nor
//! bidirectional overrides, which make a name read differently than it is.
//!
//! Names are text, not bytes: German, Russian or Japanese names are normal in
//! add-ins, so nothing here slices a name at a byte offset.

use std::fmt;

use crate::{control_chars, windows_case};

/// Longest relative path inside a package, in characters. Installed packages
/// live about 100 characters deep under `%APPDATA%`; Windows stops at 260.
pub const MAX_PATH_CHARS: usize = 150;
/// Longest single path component in bytes (NTFS and ext4 both stop at 255).
pub const MAX_COMPONENT_BYTES: usize = 255;

/// Why a path cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    Empty,
    Absolute,
    DriveLetter,
    Backslash,
    EmptyComponent,
    DotComponent,
    ParentComponent,
    ForbiddenChar(char),
    ControlChar,
    /// A bidirectional embedding, override or isolate (U+202A to U+202E,
    /// U+2066 to U+2069).
    BidiControl(char),
    TrailingDotOrSpace(String),
    ReservedName(String),
    TooLong(usize),
    ComponentTooLong(String),
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the path is empty"),
            Self::Absolute => f.write_str("the path is absolute; package paths must be relative"),
            Self::DriveLetter => f.write_str("the path starts with a drive letter"),
            Self::Backslash => {
                f.write_str("the path contains a backslash, which Windows reads as a separator; use `/`")
            }
            Self::EmptyComponent => f.write_str("the path contains an empty component (`//`)"),
            Self::DotComponent => f.write_str("the path contains a `.` component"),
            Self::ParentComponent => f.write_str("the path contains `..`, which would leave the package folder"),
            Self::ForbiddenChar(c) => {
                write!(f, "the path contains {c:?}, which Windows does not allow in names")
            }
            Self::ControlChar => f.write_str("the path contains a control character"),
            Self::BidiControl(c) => write!(
                f,
                "the path contains {}, which makes the name display in another order than it has; remove it",
                control_chars::describe(*c)
            ),
            Self::TrailingDotOrSpace(c) => {
                write!(f, "`{}` ends with a dot or a space, which Windows silently drops", shown(c))
            }
            Self::ReservedName(c) => {
                write!(f, "`{}` is a device name on Windows (CON, NUL, COM1, ...)", shown(c))
            }
            Self::TooLong(n) => write!(
                f,
                "the path is {n} characters long; at most {MAX_PATH_CHARS} fit under Windows' path limit once installed"
            ),
            // The name may hold anything, control characters included: it
            // was not checked character by character yet.
            Self::ComponentTooLong(c) => {
                write!(f, "the name `{}` is longer than {MAX_COMPONENT_BYTES} bytes", shown(c))
            }
        }
    }
}

impl std::error::Error for PathProblem {}

/// A name quoted in a message: control characters written as `\u{1b}`.
fn shown(name: &str) -> String {
    control_chars::escape(name, control_chars::Lines::Single)
}

/// Checks a `/`-separated relative path (a ZIP entry name, an entry point).
pub fn check_relative_path(path: &str) -> Result<(), PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    if path.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    let b = path.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err(PathProblem::DriveLetter);
    }
    let chars = path.chars().count();
    if chars > MAX_PATH_CHARS {
        return Err(PathProblem::TooLong(chars));
    }
    for component in path.split('/') {
        check_component(component)?;
    }
    Ok(())
}

/// Checks one file or folder name.
pub fn check_component(component: &str) -> Result<(), PathProblem> {
    match component {
        "" => return Err(PathProblem::EmptyComponent),
        "." => return Err(PathProblem::DotComponent),
        ".." => return Err(PathProblem::ParentComponent),
        _ => {}
    }
    if component.len() > MAX_COMPONENT_BYTES {
        return Err(PathProblem::ComponentTooLong(component.to_owned()));
    }
    for c in component.chars() {
        if c.is_control() {
            return Err(PathProblem::ControlChar);
        }
        if control_chars::is_bidi_control(c) {
            return Err(PathProblem::BidiControl(c));
        }
        if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
            return Err(PathProblem::ForbiddenChar(c));
        }
    }
    if component.ends_with('.') || component.ends_with(' ') {
        return Err(PathProblem::TrailingDotOrSpace(component.to_owned()));
    }
    if is_reserved_windows_name(component) {
        return Err(PathProblem::ReservedName(component.to_owned()));
    }
    Ok(())
}

/// True for Windows device names, with or without an extension
/// (`nul.txt` opens the NUL device too), in any case.
pub fn is_reserved_windows_name(component: &str) -> bool {
    let stem = component.split('.').next().unwrap_or(component).trim_end();
    let upper = stem.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        // `strip_prefix`, not a split at byte 3: in `Größe` byte 3 falls
        // inside `ö`, and a split there panics.
        _ => upper.strip_prefix("COM").or_else(|| upper.strip_prefix("LPT")).is_some_and(|number| {
            matches!(number, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³")
        }),
    }
}

/// The key two paths collide under on Windows, where packages are installed:
/// NTFS's one-to-one uppercase, not full case folding (see [`windows_case`]),
/// so `ς.py` and `σ.py` share a key and `ß.py` and `ss.py` do not.
pub fn case_fold(path: &str) -> String {
    windows_case::collision_key(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_good_and_bad_names() {
        let good = [
            "a.py",
            "pkg/mod.py",
            "src/deep/er/file.txt",
            ".gitkeep",
            "con_tools/x.py",
            "console.py",
            "com10.txt",
            "ünïcode/名前.py",
        ];
        for g in good {
            assert_eq!(check_relative_path(g), Ok(()), "{g}");
        }
        let bad: &[(&str, PathProblem)] = &[
            ("", PathProblem::Empty),
            ("/etc/passwd", PathProblem::Absolute),
            ("C:/Windows/x", PathProblem::DriveLetter),
            ("c:x", PathProblem::DriveLetter),
            ("a\\..\\..\\x", PathProblem::Backslash),
            ("a//b", PathProblem::EmptyComponent),
            ("a/", PathProblem::EmptyComponent),
            ("./a", PathProblem::DotComponent),
            ("../a", PathProblem::ParentComponent),
            ("a/../../b", PathProblem::ParentComponent),
            ("a/b:stream", PathProblem::ForbiddenChar(':')),
            ("what?.py", PathProblem::ForbiddenChar('?')),
            ("a\u{1}b", PathProblem::ControlChar),
            ("dir./x", PathProblem::TrailingDotOrSpace("dir.".into())),
            ("x ", PathProblem::TrailingDotOrSpace("x ".into())),
            ("CON", PathProblem::ReservedName("CON".into())),
            ("sub/nul.txt", PathProblem::ReservedName("nul.txt".into())),
            ("Com1.py", PathProblem::ReservedName("Com1.py".into())),
            ("lpt9", PathProblem::ReservedName("lpt9".into())),
            ("COM¹", PathProblem::ReservedName("COM¹".into())),
        ];
        for (b, want) in bad {
            assert_eq!(check_relative_path(b).as_ref(), Err(want), "{b:?}");
        }
        assert!(matches!(check_relative_path(&"a/".repeat(80)), Err(PathProblem::TooLong(_))));
    }
}
