//! Which names Windows holds as one file.
//!
//! NTFS compares names by upcasing each UTF-16 code unit through the volume's
//! `$UpCase` table: a one-to-one map, never a change of length. So `ς`, `σ`
//! and `Σ` are one name (on volumes formatted before Windows 7; later tables
//! leave `ς` alone, and refusing what any table joins is the safe side), while
//! `ß` and `ss` are two names (`ß` has no single-character uppercase). Full
//! case folding (`to_lowercase`, `unicase`, `caseless`) gets both wrong: it
//! keeps `ς` apart from `σ` in lowercase and joins `ß` with `ss`.
//!
//! The key here is Unicode's simple uppercase mapping (UnicodeData.txt field
//! 12) for characters in the Basic Multilingual Plane; characters outside it
//! are stored as surrogate pairs, which NTFS never upcases. Every mapping in
//! the Windows XP, Vista and Windows 7+ tables (as ntfs-3g reproduces them)
//! is also a simple uppercase mapping, so two names NTFS joins always share a
//! key; the key joins a few more (letters added to Unicode after a volume's
//! table was made), which only refuses a package that one volume could hold.

/// The uppercase NTFS compares a character by: Unicode's simple mapping.
///
/// Rust's `char::to_uppercase` gives the full mapping, which differs from the
/// simple one only where it has more than one character (SpecialCasing.txt).
/// For those the simple mapping is the character itself, except for the
/// Greek letters with ypogegrammeni, whose simple uppercase is the matching
/// letter with prosgegrammeni (U+1F80 to U+1F88, U+1FB3 to U+1FBC...).
pub fn upcase(c: char) -> char {
    if u32::from(c) > 0xFFFF {
        return c;
    }
    let mut full = c.to_uppercase();
    match (full.next(), full.next()) {
        (Some(upper), None) => upper,
        _ => match u32::from(c) {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => char::from_u32(u32::from(c) + 8).unwrap_or(c),
            0x1FB3 | 0x1FC3 | 0x1FF3 => char::from_u32(u32::from(c) + 9).unwrap_or(c),
            _ => c,
        },
    }
}

/// The key two names or paths collide under on Windows: every character
/// upcased as NTFS does. It has as many characters as `name`, in the same
/// places (byte offsets may differ: compare keys, never slice `name` with an
/// offset found in its key).
pub fn collision_key(name: &str) -> String {
    name.chars().map(upcase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The characters whose full uppercase has several characters, from the
    /// Unicode version Rust's standard library carries. If a new version adds
    /// one, this fails: check its simple mapping and extend [`upcase`].
    #[test]
    fn the_characters_with_multi_character_uppercase_are_known() {
        let multi: Vec<u32> =
            (0..=0xFFFF).filter_map(char::from_u32).filter(|c| c.to_uppercase().count() > 1).map(u32::from).collect();
        let mut expected: Vec<u32> = vec![
            0x00DF, 0x0149, 0x01F0, 0x0390, 0x03B0, 0x0587, 0x1E96, 0x1E97, 0x1E98, 0x1E99, 0x1E9A, 0x1F50, 0x1F52,
            0x1F54, 0x1F56, 0x1FB2, 0x1FB3, 0x1FB4, 0x1FB6, 0x1FB7, 0x1FBC, 0x1FC2, 0x1FC3, 0x1FC4, 0x1FC6, 0x1FC7,
            0x1FCC, 0x1FD2, 0x1FD3, 0x1FD6, 0x1FD7, 0x1FE2, 0x1FE3, 0x1FE4, 0x1FE6, 0x1FE7, 0x1FF2, 0x1FF3, 0x1FF4,
            0x1FF6, 0x1FF7, 0x1FFC, 0xFB00, 0xFB01, 0xFB02, 0xFB03, 0xFB04, 0xFB05, 0xFB06, 0xFB13, 0xFB14, 0xFB15,
            0xFB16, 0xFB17,
        ];
        expected.extend(0x1F80..=0x1FAF);
        expected.sort();
        assert_eq!(multi, expected);
    }

    #[test]
    fn simple_mappings() {
        assert_eq!(upcase('ς'), 'Σ');
        assert_eq!(upcase('σ'), 'Σ');
        assert_eq!(upcase('ß'), 'ß');
        assert_eq!(upcase('ﬁ'), 'ﬁ');
        assert_eq!(upcase('\u{1F80}'), '\u{1F88}');
        assert_eq!(upcase('\u{1F88}'), '\u{1F88}');
        assert_eq!(upcase('\u{1FF3}'), '\u{1FFC}');
        assert_eq!(upcase('ǅ'), 'Ǆ');
        assert_eq!(upcase('\u{10428}'), '\u{10428}');
        assert_eq!(collision_key("Größe/Стены.py"), "GRÖßE/СТЕНЫ.PY");
    }
}
