//! German, Russian and Japanese file names are normal in add-ins: every check
//! on them must answer, never panic on a byte index inside a character.

use revitpy_names::PackageName;
use revitpy_names::portable_path::{
    MAX_PATH_CHARS, PathProblem, check_component, check_relative_path, is_reserved_windows_name,
};

#[test]
fn german_russian_and_japanese_paths_are_portable() {
    for path in [
        "Größe.py",
        "Стены.py",
        "壁.py",
        "x壁.py",
        "werkzeuge/Maße/Öffnung.py",
        "обои/Стены/окно.py",
        "壁紙/設定.py",
        "Ärger",
        "Щ",
        "ab€.txt",
        "😀/é.py",
    ] {
        assert_eq!(check_relative_path(path), Ok(()), "{path}");
    }
}

/// The device-name check looks at the first three characters of a name; a
/// name whose fourth byte falls inside a character must not panic, whatever
/// the mix of 1- to 4-byte characters.
#[test]
fn device_name_check_never_splits_a_character() {
    let pieces = ["a", "C", "O", "M", "ö", "С", "т", "壁", "😀", "¹", "."];
    let mut checked = 0;
    for a in pieces {
        for b in pieces {
            for c in pieces {
                for d in pieces {
                    let name = format!("{a}{b}{c}{d}");
                    let _ = is_reserved_windows_name(&name);
                    let _ = check_component(&name);
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, pieces.len().pow(4));
    for name in ["Größe", "Стены", "aö", "COMö", "COM壁", "LPT😀", "CONö"] {
        assert!(!is_reserved_windows_name(name), "{name} is not a device name");
    }
    // The real device names are still found, with the superscript digits
    // Windows also treats as device numbers.
    for name in ["COM¹", "lpt³.txt", "CON", "nul.py", "Com1"] {
        assert!(is_reserved_windows_name(name), "{name} is a device name");
    }
}

#[test]
fn the_length_limit_counts_characters_not_bytes() {
    // 150 characters (the limit), 441 bytes: 80 + 66 three-byte characters.
    let japanese = format!("{}/{}.py", "壁".repeat(80), "壁".repeat(66));
    assert_eq!(japanese.chars().count(), MAX_PATH_CHARS);
    assert_eq!(check_relative_path(&japanese), Ok(()));
    let russian = format!("{}/{}/{}.py", "Ж".repeat(49), "ж".repeat(49), "Ж".repeat(47));
    assert_eq!(russian.chars().count(), MAX_PATH_CHARS);
    assert_eq!(check_relative_path(&russian), Ok(()));

    let over = format!("{}/{}.py", "壁".repeat(80), "壁".repeat(67));
    assert_eq!(check_relative_path(&over), Err(PathProblem::TooLong(151)));
    // One name of 86 three-byte characters is 258 bytes: too long for ext4
    // and NTFS-on-Linux, whatever the path's length in characters.
    let component = "壁".repeat(86);
    assert!(matches!(check_component(&component), Err(PathProblem::ComponentTooLong(_))));
}

#[test]
fn non_ascii_package_names_are_refused_with_a_message() {
    for name in ["Größe", "Стены", "壁", "wall-tools-ö", &"ö".repeat(40), &"Ж".repeat(100)] {
        let err = PackageName::new(name).expect_err(name).to_string();
        assert!(err.contains("use only ASCII letters") || err.contains("at most 64"), "{name}: {err}");
    }
}
