//! The budget of constant folding. Both front-ends fold what obfuscators
//! build from constants (`"ex" + "ec"`, `sep.join([...])`, `s[::-1]`,
//! `b64decode("...")`, `bytes.fromhex("...")`), and a fold can be far larger
//! than its source: a separator that is itself a join multiplies the size at
//! every level, so five nested joins in 1,559 bytes of source spell 6.7 GB
//! (the scanner aborted, asking for it). So every fold states the size of
//! its result before building it and takes it from a budget held per file
//! (the file and every payload decoded from it share one); a fold that does
//! not fit is refused, and the refusal is a finding (`fold-budget-exceeded`),
//! never a crash or a silent cut.
//!
//! The walks fold a sub-expression again for each enclosing argument,
//! summary and call, so the budget also counts steps (nodes the folders
//! visit): re-folding a long chain again and again stops at the budget too,
//! whatever shape it takes.

use std::cell::Cell;

/// The largest string one fold may build. Real code folds short names,
/// paths and commands (the Python standard library's largest fold is 687 bytes);
/// a decoded constant of megabytes in an add-in's source is a payload, not
/// code, and twice the largest payload read as Python
/// (`MAX_PAYLOAD_BYTES` in lib.rs, 1 MiB).
pub const MAX_RESULT: usize = 2 * 1024 * 1024;

/// Bytes every fold of a file (with its decoded payloads) may build in
/// total: four results of the largest size, since the walks fold an
/// argument up to three times (as its literal, in its summary, and when
/// they reach it). The standard library's largest total per file is 7.4 KB
/// (`test/test_hashlib.py`), a thousandth of this. What folds keep (the
/// facts hold each result and a copy, summaries 400 characters of it) is
/// bounded by this too: about 3 x 8 MiB per file at worst.
pub const FILE_BYTES: usize = 8 * 1024 * 1024;

/// Steps (nodes visited by the folders) a file may take: a floor, plus this
/// many per byte of text parsed. The standard library takes at most 0.3
/// steps per byte with either front-end (21,137 steps in its busiest file);
/// a chain of a thousand `+` re-folded at every level takes hundreds.
pub const STEPS_FLOOR: usize = 1 << 20;
pub const STEPS_PER_BYTE: usize = 16;

/// What one file may still fold. Interior mutability: the folders are
/// called from `&self` visitors; one file is scanned on one thread.
#[derive(Debug)]
pub struct Budget {
    bytes: Cell<usize>,
    steps: Cell<usize>,
    /// Byte offset, in the text being parsed, of the first fold refused
    /// since the parse began (taken by [`Budget::take_refusal`]).
    refused_at: Cell<Option<usize>>,
    /// A fold was refused (stays set: later folds are all refused too).
    exhausted: Cell<bool>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new()
    }
}

impl Budget {
    pub fn new() -> Self {
        Budget {
            bytes: Cell::new(FILE_BYTES),
            steps: Cell::new(STEPS_FLOOR),
            refused_at: Cell::new(None),
            exhausted: Cell::new(false),
        }
    }

    /// Grants the steps for parsing `text_len` more bytes (each parse of the
    /// file or of a payload calls this once).
    pub fn grant(&self, text_len: usize) {
        self.steps.set(self.steps.get().saturating_add(text_len.saturating_mul(STEPS_PER_BYTE)));
    }

    /// One step of a folder at byte `at`; false once steps run out.
    #[inline]
    pub fn step(&self, at: usize) -> bool {
        self.steps_n(1, at)
    }

    /// `n` steps at byte `at`.
    #[inline]
    pub fn steps_n(&self, n: usize, at: usize) -> bool {
        let left = self.steps.get();
        if left >= n && !self.exhausted.get() {
            self.steps.set(left - n);
            return true;
        }
        self.refuse(at)
    }

    /// Reserves `size` bytes for a result about to be built at byte `at`;
    /// false (and the refusal recorded) when the result would pass
    /// [`MAX_RESULT`] or the file's budget.
    #[inline]
    pub fn take(&self, size: usize, at: usize) -> bool {
        let left = self.bytes.get();
        if size <= MAX_RESULT && size <= left && !self.exhausted.get() {
            self.bytes.set(left - size);
            return true;
        }
        self.refuse(at)
    }

    #[cold]
    fn refuse(&self, at: usize) -> bool {
        self.exhausted.set(true);
        if self.refused_at.get().is_none() {
            self.refused_at.set(Some(at));
        }
        false
    }

    /// Where the first fold was refused since the last call, if one was.
    pub fn take_refusal(&self) -> Option<usize> {
        self.refused_at.take()
    }

    /// Whether any fold of the file was refused.
    pub fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    /// Bytes taken so far (for tests and measurements).
    pub fn bytes_used(&self) -> usize {
        FILE_BYTES - self.bytes.get()
    }

    /// Steps still allowed (for tests and measurements).
    pub fn steps_left(&self) -> usize {
        self.steps.get()
    }
}

/// `items.join(sep)`, sized first: `None` when it does not fit.
pub fn join(budget: &Budget, items: &[String], sep: &str, at: usize) -> Option<String> {
    let size = items
        .iter()
        .try_fold(0usize, |n, i| n.checked_add(i.len()))
        .and_then(|n| n.checked_add(sep.len().checked_mul(items.len().saturating_sub(1))?));
    if !budget.take(size.unwrap_or(usize::MAX), at) {
        return None;
    }
    Some(items.join(sep))
}

/// The pieces glued together, sized first.
pub fn concat(budget: &Budget, parts: &[String], at: usize) -> Option<String> {
    let size = parts.iter().try_fold(0usize, |n, p| n.checked_add(p.len()));
    if !budget.take(size.unwrap_or(usize::MAX), at) {
        return None;
    }
    Some(parts.concat())
}

/// `s[::-1]`, sized first.
pub fn reverse(budget: &Budget, s: &str, at: usize) -> Option<String> {
    if !budget.take(s.len(), at) {
        return None;
    }
    Some(s.chars().rev().collect())
}

/// `s.replace(old, new)` on constants, sized first: obfuscators hide a
/// name behind filler characters (`"ce^xe^"[::-1].replace("^", "")` is
/// `exec`). An empty `old` (Python inserts `new` between every character)
/// is not folded: nobody hides a name that way.
pub fn replace(budget: &Budget, s: &str, old: &str, new: &str, at: usize) -> Option<String> {
    if old.is_empty() {
        return None;
    }
    let count = s.matches(old).count();
    let size = (s.len() - count * old.len()).checked_add(count.checked_mul(new.len())?);
    if !budget.take(size.unwrap_or(usize::MAX), at) {
        return None;
    }
    Some(s.replace(old, new))
}

/// Decoded bytes as text (lossy, as the scanner reads bytes). `reserved` was
/// taken before decoding (the decoder's own bound on its output); invalid
/// UTF-8 can grow up to threefold (U+FFFD), and that growth is taken too.
pub fn lossy_text(budget: &Budget, bytes: Vec<u8>, reserved: usize, at: usize) -> Option<String> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if text.len() > reserved && !budget.take(text.len() - reserved, at) {
        return None;
    }
    Some(text)
}

/// `bytes.fromhex("...")`, sized first (half the digits).
pub fn from_hex(budget: &Budget, hex: &str, at: usize) -> Option<String> {
    let size = hex.len() / 2;
    if !budget.take(size, at) {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..size).map(|i| hex.get(2 * i..2 * i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    lossy_text(budget, bytes?, size, at)
}

/// A base64 constant's bytes, as text (lossy): what `b64decode("...")`
/// yields, sized first (three bytes per four characters).
pub fn from_base64(budget: &Budget, text: &str, at: usize) -> Option<String> {
    use base64::Engine;
    let size = text.len() / 4 * 3 + 3;
    if !budget.take(size, at) {
        return None;
    }
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(cleaned.as_bytes()))
        .ok()?;
    lossy_text(budget, bytes, size, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_sized_before_they_are_built() {
        let b = Budget::new();
        let items = vec!["a".to_owned(); 1000];
        // 999 separators of 5 KiB: about 5 MiB, past the per-result cap.
        let sep = "x".repeat(5 * 1024);
        assert_eq!(join(&b, &items, &sep, 7), None);
        assert!(b.exhausted());
        assert_eq!(b.take_refusal(), Some(7));
        assert_eq!(b.take_refusal(), None, "taken once");
        // Once refused, every later fold is refused too.
        assert_eq!(concat(&b, &["a".into(), "b".into()], 9), None);
    }

    #[test]
    fn the_file_budget_is_shared_by_every_fold() {
        let b = Budget::new();
        let piece = "y".repeat(MAX_RESULT);
        for _ in 0..FILE_BYTES / MAX_RESULT {
            assert!(reverse(&b, &piece, 0).is_some());
        }
        assert_eq!(b.bytes_used(), FILE_BYTES);
        assert_eq!(reverse(&b, "z", 3), None);
        assert_eq!(b.take_refusal(), Some(3));
    }

    #[test]
    fn replace_is_sized_and_refuses_an_empty_pattern() {
        let b = Budget::new();
        assert_eq!(replace(&b, "^ce^xe", "^", "", 0).as_deref(), Some("cexe"));
        assert_eq!(replace(&b, "aaa", "a", "bb", 0).as_deref(), Some("bbbbbb"));
        assert_eq!(replace(&b, "abc", "", "x", 0), None);
        // A result larger than the budget is refused before it is built.
        let small = Budget::new();
        let big = "a".repeat(1024);
        let huge = "b".repeat(MAX_RESULT);
        assert_eq!(replace(&small, &big, "a", &huge, 0), None);
        assert!(small.exhausted());
    }

    #[test]
    fn decoders_agree_with_their_inputs() {
        let b = Budget::new();
        assert_eq!(from_hex(&b, "6578656374", 0).as_deref(), Some("exect"));
        assert_eq!(from_base64(&b, "cHJp\nbnQ=", 0).as_deref(), Some("print"));
        assert_eq!(from_hex(&b, "ff", 0).as_deref(), Some("\u{fffd}"));
        assert!(!b.exhausted());
    }

    #[test]
    fn steps_run_out() {
        let b = Budget::new();
        assert!(b.steps_n(STEPS_FLOOR, 0));
        assert!(!b.step(5));
        let b = Budget::new();
        b.grant(10);
        assert!(b.steps_n(STEPS_FLOOR + 10 * STEPS_PER_BYTE, 0));
        assert!(!b.step(1));
    }
}
