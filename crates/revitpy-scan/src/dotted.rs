//! Dotted names (`os.path.join`): their last segment, and a filter that
//! turns most names away from a set before any hashing. These run for every
//! call, name and attribute of every file, on names a few bytes long, where
//! a plain backwards loop beats `rsplit`'s memrchr set-up.

/// `os.path.join` to (`os.path`, `join`); `None` without a dot.
pub fn split_last(name: &str) -> Option<(&str, &str)> {
    let dot = name.bytes().rposition(|b| b == b'.')?;
    Some((&name[..dot], &name[dot + 1..]))
}

/// `os.path.join` to `join`; a name without a dot is its own last segment.
pub fn last_segment(name: &str) -> &str {
    split_last(name).map_or(name, |(_, last)| last)
}

/// A 256-bit Bloom filter on a name's length and last two bytes: a set of a
/// few dozen names answers "surely not" for most names without hashing them.
#[derive(Default)]
pub struct NameFilter([u64; 4]);

impl NameFilter {
    fn key(name: &str) -> usize {
        let b = name.as_bytes();
        let last = b.last().copied().unwrap_or(0) as usize;
        let before = if b.len() > 1 { b[b.len() - 2] as usize } else { 0 };
        (b.len().wrapping_mul(37) ^ last.wrapping_mul(7) ^ before) & 255
    }

    pub fn insert(&mut self, name: &str) {
        let k = Self::key(name);
        self.0[k >> 6] |= 1 << (k & 63);
    }

    /// False only when `name` was never inserted.
    pub fn may_contain(&self, name: &str) -> bool {
        let k = Self::key(name);
        self.0[k >> 6] & (1 << (k & 63)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        assert_eq!(split_last("os.path.join"), Some(("os.path", "join")));
        assert_eq!(split_last("exec"), None);
        assert_eq!(last_segment("os.path.join"), "join");
        assert_eq!(last_segment("exec"), "exec");
        assert_eq!(last_segment("x."), "");
    }

    #[test]
    fn the_filter_never_turns_away_a_member() {
        let words = ["exec", "eval", "system", "Popen", "urlopen", "b64decode", "", "x"];
        let mut f = NameFilter::default();
        for w in words {
            f.insert(w);
        }
        assert!(words.iter().all(|w| f.may_contain(w)));
        // And it turns most others away (this set is small).
        let others = ["len", "print", "append", "join", "format", "items", "keys", "get", "update", "split"];
        assert!(others.iter().filter(|w| f.may_contain(w)).count() <= 3);
    }
}
