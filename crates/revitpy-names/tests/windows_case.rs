//! Names that Windows holds as one: NTFS compares names by upcasing each
//! UTF-16 code unit with its `$UpCase` table (simple, one-to-one mappings),
//! so `ς`, `σ` and `Σ` are one name (on volumes formatted before Windows 7,
//! and we refuse what any of them refuses), while `ß` and `ss` are two.

use revitpy_names::portable_path::case_fold;

#[track_caller]
fn same(a: &str, b: &str) {
    assert_eq!(case_fold(a), case_fold(b), "`{a}` and `{b}` are one name on Windows");
}

#[track_caller]
fn different(a: &str, b: &str) {
    assert_ne!(case_fold(a), case_fold(b), "`{a}` and `{b}` are two names on Windows");
}

#[test]
fn greek_sigmas_collide() {
    same("σ.py", "Σ.py");
    same("ς.py", "σ.py");
    same("ς.py", "Σ.py");
    same("λόγος/x.py", "ΛΌΓΟΣ/x.py");
}

#[test]
fn sharp_s_and_double_s_do_not_collide() {
    // Full case mapping (Rust's `to_uppercase`) turns `ß` into `SS`; NTFS's
    // one-to-one table leaves `ß` alone.
    different("ß.py", "ss.py");
    different("ß.py", "SS.py");
    different("Straße.py", "STRASSE.py");
    same("Straße.py", "STRAßE.py");
    // The capital sharp s (U+1E9E) is not the simple uppercase of `ß` either.
    different("ß.py", "ẞ.py");
    // Ligatures stay ligatures.
    different("ﬁle.py", "FILE.py");
}

#[test]
fn simple_mappings_where_the_full_one_has_two_characters() {
    // U+1FB3 upcases to "ΑΙ" in full, to U+1FBC alone in the simple table.
    same("\u{1FB3}.py", "\u{1FBC}.py");
    different("\u{1FB3}.py", "ΑΙ.py");
    same("\u{1F80}", "\u{1F88}");
}

#[test]
fn everyday_scripts_fold_as_expected() {
    same("Readme.md", "README.md");
    same("größe.py", "GRÖßE.py");
    same("стены.py", "СТЕНЫ.py");
    same("ǆ", "Ǆ");
    same("ǅ", "Ǆ");
    different("Größe.py", "Grösse.py");
    // Japanese has no case.
    different("壁.py", "璧.py");
}

#[test]
fn characters_outside_the_bmp_are_compared_as_they_are() {
    // NTFS upcases UTF-16 code units; a surrogate pair is never upcased.
    different("\u{10428}.py", "\u{10400}.py");
}

#[test]
fn the_key_keeps_every_character_in_place() {
    for s in ["ßσςΣǅᾳ", "Größe/Стены/壁.py", "ﬀ\u{1F80}\u{10428}"] {
        assert_eq!(case_fold(s).chars().count(), s.chars().count(), "{s}");
    }
}
