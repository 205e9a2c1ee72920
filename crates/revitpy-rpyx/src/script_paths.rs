//! Manifest values that name a script in the package: entry points and hooks.
//!
//! Hooks run as the original ran them, `python <script>` with the package's
//! folder as working folder, and the installer joins the whole value onto
//! that folder. So a hook is a portable relative path and nothing else: a
//! `:` in it is no function separator but part of what gets joined
//! (`setup.py:../../x.py` would leave the package folder).
//!
//! An entry point may name a function in its script, `src/main.py:main`
//! (or `module:Class.method`, as Python entry points do). The part before the
//! first `:` is the script's portable relative path; the part after is a
//! dotted Python name, which never becomes a path.

use revitpy_names::control_chars::{self, Lines};
use revitpy_names::portable_path::{self, PathProblem};

/// The script an entry point runs: the value up to its first `:`.
pub fn entry_point_script(value: &str) -> &str {
    value.split_once(':').map_or(value, |(script, _)| script)
}

/// Checks an entry point: a portable path, then optionally `:` and a Python
/// name. The error is the message for the manifest problem.
pub fn check_entry_point(value: &str) -> Result<(), String> {
    let shown = control_chars::escape(value, Lines::Single);
    // `C:/x.py` is a drive letter, not a script `C` with a function `/x.py`.
    if let Err(e @ (PathProblem::DriveLetter | PathProblem::Absolute | PathProblem::Backslash)) =
        portable_path::check_relative_path(value)
    {
        return Err(format!("`{shown}`: {e}"));
    }
    let (script, function) = match value.split_once(':') {
        Some((script, function)) => (script, Some(function)),
        None => (value, None),
    };
    portable_path::check_relative_path(script).map_err(|e| format!("`{shown}`: {e}"))?;
    if let Some(function) = function
        && !is_python_name(function)
    {
        return Err(format!(
            "`{shown}`: `{}` is not a Python name; after `:` write the function to call, such as \"{}:main\"",
            control_chars::escape(function, Lines::Single),
            control_chars::escape(script, Lines::Single),
        ));
    }
    Ok(())
}

/// Checks a hook: the whole value is the script's portable relative path.
pub fn check_hook(value: &str) -> Result<(), String> {
    let shown = control_chars::escape(value, Lines::Single);
    if value.contains(':') && portable_path::check_relative_path(value) != Err(PathProblem::DriveLetter) {
        return Err(format!(
            "`{shown}`: hooks run as `python <script>`, so a hook is the path of a script in the package, without `:function`; write for example \"hooks/post_install.py\""
        ));
    }
    portable_path::check_relative_path(value).map_err(|e| format!("`{shown}`: {e}"))
}

/// A dotted Python name (`main`, `Command.execute`): identifiers as Python 3
/// reads them (PEP 3131: XID_Start or `_`, then XID_Continue), so German or
/// Russian function names pass and anything path-like does not.
pub fn is_python_name(text: &str) -> bool {
    !text.is_empty() && text.split('.').all(is_identifier)
}

fn is_identifier(part: &str) -> bool {
    let mut chars = part.chars();
    chars.next().is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names() {
        for good in ["main", "_x", "Command.execute", "größe", "стены", "壁", "a1.b2"] {
            assert!(is_python_name(good), "{good}");
        }
        for bad in ["", "1a", "a.", ".a", "a..b", "a b", "a/b", "../x.py", "a-b", "a:b", "x\u{1b}"] {
            assert!(!is_python_name(bad), "{bad}");
        }
    }

    #[test]
    fn hooks_are_whole_paths() {
        assert_eq!(check_hook("hooks/post_install.py"), Ok(()));
        assert!(check_hook("setup.py:../../x.py").unwrap_err().contains("python <script>"));
        assert!(check_hook("setup.py:main").unwrap_err().contains("without `:function`"));
        assert!(check_hook("C:/x.py").unwrap_err().contains("drive letter"));
        assert!(check_hook("../x.py").unwrap_err().contains("`..`"));
    }

    #[test]
    fn entry_points_may_name_a_function() {
        assert_eq!(check_entry_point("src/main.py"), Ok(()));
        assert_eq!(check_entry_point("src/main.py:run"), Ok(()));
        assert_eq!(entry_point_script("src/main.py:run"), "src/main.py");
        assert!(check_entry_point("src/main.py:../../x.py").unwrap_err().contains("is not a Python name"));
        assert!(check_entry_point("C:/x.py").unwrap_err().contains("drive letter"));
        assert!(check_entry_point("../x.py:run").unwrap_err().contains("`..`"));
    }
}
