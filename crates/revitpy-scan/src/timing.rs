//! When a line of a file runs (issue 19's "when it runs"): while the
//! package installs, as soon as the module is imported (module level, or a
//! function the module calls or hands over while loading), or only when
//! something calls a function later (a library's API, a Revit command or
//! event). The same deletion means a user's request in `def rm(path)` and
//! an attack at module level.
//!
//! Within one file and by name: a function is reached at import when module
//! level code, or a function already reached, calls it or passes it on
//! (`doc.DocumentOpened += handler`, `threading.Thread(target=run)`).
//! Methods are matched by their last name (`App().run()` reaches every
//! `run`), erring toward "at import".

use crate::facts::Facts;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum When {
    Install,
    Import,
    /// Only when this function (named, with its first line) is called.
    Call(String, usize),
}

/// Which functions of a file run when it is imported.
pub(crate) struct Timing {
    /// One flag per `facts.functions` entry.
    reached: Vec<bool>,
    /// The innermost scope of each line (index: line number): 0 for the
    /// module, `i + 1` for `facts.functions[i]`. Painted once, outer
    /// functions first, so that each question is one lookup (a generated
    /// file with thousands of functions and calls stays linear).
    line_scope: Vec<u32>,
    install_time: bool,
}

fn last_name(n: &str) -> &str {
    n.rsplit('.').next().unwrap_or(n).trim()
}

impl Timing {
    pub(crate) fn new(facts: &Facts<'_>, install_time: bool) -> Self {
        let n = facts.functions.len();
        let last = facts.functions.iter().map(|f| f.last_line).max().unwrap_or(0);
        let mut line_scope = vec![0u32; last + 1];
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| {
            std::cmp::Reverse(facts.functions[i].last_line.saturating_sub(facts.functions[i].first_line))
        });
        for i in order {
            let f = &facts.functions[i];
            if f.first_line <= f.last_line {
                for slot in &mut line_scope[f.first_line..=f.last_line] {
                    *slot = i as u32 + 1;
                }
            }
        }
        let mut timing = Timing { reached: vec![false; n], line_scope, install_time };
        if install_time || n == 0 {
            return timing;
        }
        // The names each scope (0: module, i + 1: function i) calls or passes on.
        let mut uses: Vec<Vec<&str>> = vec![Vec::new(); n + 1];
        for c in &facts.calls {
            let scope = timing.scope(c.line);
            uses[scope].push(last_name(&c.name));
            for a in &c.args {
                uses[scope].extend(a.names.iter().map(|x| last_name(x)));
                let t = a.text.trim();
                if !t.is_empty()
                    && t.len() <= 80
                    && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                {
                    uses[scope].push(last_name(t));
                }
            }
        }
        // Names assigned from (`handler = on_open`, `doc.DocumentOpened +=
        // on_open`) are passed on too; an assignment counts where it is made
        // (`line`; `scope_line` is the callee's for a parameter).
        for a in &facts.assigns {
            let scope = timing.scope(a.line);
            uses[scope].extend(a.names.iter().map(|x| last_name(x)));
        }
        let mut by_name: rustc_hash::FxHashMap<&str, Vec<usize>> = rustc_hash::FxHashMap::default();
        for (i, f) in facts.functions.iter().enumerate() {
            by_name.entry(last_name(&f.name)).or_default().push(i);
        }
        let mut work = vec![0usize];
        while let Some(scope) = work.pop() {
            for name in &uses[scope] {
                for &i in by_name.get(name).map_or(&[][..], Vec::as_slice) {
                    if !timing.reached[i] {
                        timing.reached[i] = true;
                        work.push(i + 1);
                    }
                }
            }
        }
        timing
    }

    /// The scope of `line`: 0 for the module, `i + 1` for function `i`.
    fn scope(&self, line: usize) -> usize {
        self.line_scope.get(line).map_or(0, |&s| s as usize)
    }

    /// The innermost function around `line`, as an index into `facts.functions`.
    pub(crate) fn innermost(&self, line: usize) -> Option<usize> {
        self.scope(line).checked_sub(1)
    }

    pub(crate) fn at(&self, facts: &Facts<'_>, line: usize) -> When {
        if self.install_time {
            return When::Install;
        }
        match self.innermost(line) {
            Some(i) if !self.reached[i] => {
                let f = &facts.functions[i];
                When::Call(f.name.clone(), f.first_line)
            }
            _ => When::Import,
        }
    }
}
