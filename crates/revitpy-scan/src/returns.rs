//! What the file's own functions hand back of their arguments.
//!
//! The data flow ([`crate::flow`]) gives a call's result the labels of all
//! its arguments: of a function from elsewhere nothing better is known
//! (`base64.b64encode(env)` does hold the environment). Of a function the
//! file defines, its body says which parameters can reach what it returns
//! (a `return` or a `yield`): an argument handed to any other parameter is
//! used inside the callee, where its own sinks still see it through the
//! parameter, but it is not in what the call gives back. A helper that
//! reads one variable of the environment it is handed and returns a
//! constant (`_resolve_default_connection(os.environ)`), or that takes an
//! SSH key's path to write a certificate beside it and returns a server's
//! token, made the caller's variable hold the whole environment or the key.
//!
//! The reach is over-approximated (a name counts as read wherever its root
//! is read in the function's lines, nested functions included), so an
//! argument is dropped only where the callee provably does not return it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::facts::{Arg, Call, Facts, STORES};

/// Callees resolved inside callees (`return sign(key_path)`) at most this
/// deep; past it a callee's arguments are all kept.
const MAX_DEPTH: usize = 8;

/// Assignments read while working out reaches, for the whole file; past it
/// no more arguments are dropped (a hostile file of a million helpers each
/// calling the next costs this much, not more).
const MAX_WORK: usize = 1 << 21;

/// An assigned value is looked for in at most this many lines from its first.
const MAX_VALUE_LINES: usize = 40;

/// A value with more of the file's own calls than this, or more names,
/// keeps all its arguments (real ones have a few; matching each argument
/// against the value costs its names).
const MAX_LOCAL_CALLS: usize = 64;
const MAX_NAMES: usize = 1024;

/// Classes looked through for the one a `self.` call is in.
const MAX_CLASS_SCAN: usize = 64;

/// A name defined more often than this (in branches) is not followed.
const MAX_DEFINITIONS: usize = 8;

/// Drops from each assignment the arguments that the file's own callee
/// does not return (see the module's comment). Run after
/// [`crate::facts::link_arguments`]: the hand-over of an argument to its
/// parameter keeps it whole.
pub(crate) fn drop_unreturned_arguments(facts: &mut Facts<'_>) {
    if facts.functions.is_empty() || facts.assigns.is_empty() {
        return;
    }
    let Some(mut r) = Reach::new(facts) else { return };
    let mut edits: Vec<(usize, Vec<usize>)> = Vec::new();
    // The assignments in line order beside the calls that may name a
    // function of the file: only those with such a call a few lines from
    // their first are looked at.
    let mut next_call = 0;
    for k in 0..r.by_line.len() {
        let i = r.by_line[k].1 as usize;
        let a = &facts.assigns[i];
        while r.calls_at.get(next_call).is_some_and(|&(l, _)| l < a.line) {
            next_call += 1;
        }
        if a.line != a.scope_line
            || a.calls.is_empty()
            || r.calls_at.get(next_call).is_none_or(|&(l, _)| l >= a.line + MAX_VALUE_LINES)
        {
            continue;
        }
        let dropped = r.dropped_args(a.line, &a.calls, 0);
        if !dropped.is_empty() {
            edits.push((i, dropped));
        }
    }
    drop(r);
    for (i, dropped) in edits {
        let a = &mut facts.assigns[i];
        for call_arg in dropped {
            let (c, k) = (call_arg >> 8, call_arg & 0xff);
            let arg = &facts.calls[c].args[k];
            remove_arg(&mut a.calls, &mut a.names, &mut a.name_counts, &mut a.strings, arg);
        }
    }
}

/// Takes `arg` out of an assigned value: one occurrence of each of its
/// calls and strings, and its names as often as the argument reads them (a
/// name the rest of the value also reads stays: `f(env) or env`). Nothing
/// is taken when the value does not hold the whole argument.
fn remove_arg(
    calls: &mut Vec<String>,
    names: &mut Vec<String>,
    counts: &mut Vec<u32>,
    strings: &mut Vec<String>,
    arg: &Arg<'_>,
) {
    let count = |counts: &[u32], i: usize| counts.get(i).copied().unwrap_or(1);
    let total = |names: &[String], counts: &[u32], n: &str| -> u64 {
        names.iter().enumerate().filter(|(_, m)| *m == n).map(|(i, _)| u64::from(count(counts, i))).sum()
    };
    let holds = |list: &[String], items: &[String]| items.iter().all(|x| list.contains(x));
    let big = |list: &[String]| list.len() > MAX_NAMES;
    if big(calls) || big(names) || big(strings) || big(&arg.names) || big(&arg.inner_calls) || big(&arg.strings) {
        return;
    }
    if !(holds(calls, &arg.inner_calls)
        && holds(strings, &arg.strings)
        && arg.names.iter().enumerate().all(|(j, n)| total(names, counts, n) >= u64::from(count(&arg.name_counts, j))))
    {
        return;
    }
    for (list, items) in [(&mut *calls, &arg.inner_calls), (&mut *strings, &arg.strings)] {
        for x in items {
            if let Some(p) = list.iter().position(|y| y == x) {
                list.remove(p);
            }
        }
    }
    for (j, n) in arg.names.iter().enumerate() {
        let mut left = count(&arg.name_counts, j);
        let mut i = 0;
        while left > 0 && i < names.len() {
            if names[i] != *n {
                i += 1;
                continue;
            }
            let c = count(counts, i);
            if c <= left {
                names.remove(i);
                if i < counts.len() {
                    counts.remove(i);
                }
                left -= c;
            } else {
                if counts.is_empty() {
                    counts.resize(names.len(), 1);
                }
                counts[i] = c - left;
                left = 0;
            }
        }
    }
}

/// The root of a name read: `p` for `p.get`, `self` for `self.x.y`.
fn root(name: &str) -> &str {
    let end = name.find(['.', '[']).unwrap_or(name.len());
    &name[..end]
}

struct Reach<'a, 's> {
    facts: &'a Facts<'s>,
    /// Functions with a nested function of the same name: which assignments
    /// are their returns is not told apart.
    shadowed: Vec<bool>,
    /// Assignments by line (line, index), in line order.
    by_line: Vec<(usize, u32)>,
    /// (line, call) in line order, only calls that may name one of the
    /// file's functions.
    calls_at: Vec<(usize, u32)>,
    /// The first lines of statements that assign, in order: where the
    /// value of the one before may end.
    starts: Vec<usize>,
    /// Which parameters of each function reach its result: not looked at
    /// yet (None), not known (Some(None)), or one flag per parameter.
    memo: Vec<Option<Option<Box<[bool]>>>>,
    /// Each class's methods by name (the last definition of a name, as
    /// Python binds it), classes numbered from 1.
    methods: HashMap<(u32, &'a str), u32>,
    /// The functions of each name, where none is inside a class and there
    /// are few (past [`MAX_DEFINITIONS`] a name is not followed).
    plain: HashMap<&'a str, Vec<u32>>,
    /// Names the file imports or aliases: a call may be the import's.
    imported: HashSet<&'a str>,
    busy: HashSet<usize>,
    work: usize,
}

impl<'a, 's> Reach<'a, 's> {
    /// None when no call of the file may name one of its functions (most
    /// files' values call only what they import): nothing to drop.
    fn new(facts: &'a Facts<'s>) -> Option<Self> {
        let defined: HashSet<&str> = facts.functions.iter().map(|f| f.name.as_str()).collect();
        let mut calls_at: Vec<(usize, u32)> = Vec::new();
        for (i, c) in facts.calls.iter().enumerate() {
            let own = c.name.strip_prefix("self.").or_else(|| c.name.strip_prefix("cls.")).unwrap_or(&c.name);
            if !own.contains('.') && defined.contains(own) {
                calls_at.push((c.line, i as u32));
            }
        }
        if calls_at.is_empty() {
            return None;
        }
        calls_at.sort_unstable();
        // Assignments come in source order, then those `link_arguments`
        // adds, also in order: two runs, which the stable sort merges.
        let mut by_line: Vec<(usize, u32)> =
            facts.assigns.iter().enumerate().map(|(i, a)| (a.line, i as u32)).collect();
        by_line.sort();
        // Each function's parent, by one sweep over the definitions in
        // source order (an enclosing one before those inside it): a class
        // makes it a method, a function a nested function.
        let mut defs: Vec<(usize, std::cmp::Reverse<usize>, bool, u32)> = facts
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.first_line, std::cmp::Reverse(f.last_line), false, i as u32))
            .chain(facts.classes.iter().enumerate().map(|(k, c)| (c.1, std::cmp::Reverse(c.2), true, k as u32 + 1)))
            .collect();
        defs.sort_unstable();
        let mut open: Vec<(usize, bool, u32)> = Vec::new();
        let mut methods: HashMap<(u32, &str), u32> = HashMap::default();
        let mut plain: HashMap<&str, Vec<u32>> = HashMap::default();
        let mut in_class: HashSet<&str> = HashSet::default();
        let mut shadowed = vec![false; facts.functions.len()];
        for (first, std::cmp::Reverse(last), class, id) in defs {
            while open.last().is_some_and(|&(end, _, _)| end < first) {
                open.pop();
            }
            if !class {
                let name = facts.functions[id as usize].name.as_str();
                for &(_, c, outer) in &open {
                    if !c && facts.functions[outer as usize].name == name {
                        shadowed[outer as usize] = true;
                    }
                }
                match open.last() {
                    Some(&(_, true, k)) => {
                        methods.insert((k, name), id);
                        in_class.insert(name);
                    }
                    _ if open.iter().any(|o| o.1) => {
                        in_class.insert(name);
                    }
                    _ => plain.entry(name).or_default().push(id),
                }
            }
            open.push((last, class, id));
        }
        plain.retain(|name, ids| !in_class.contains(name) && ids.len() <= MAX_DEFINITIONS);
        let imported: HashSet<&str> =
            facts.imports.iter().map(|(m, _)| m.as_str()).chain(facts.aliases.keys().map(String::as_str)).collect();
        let mut starts: Vec<usize> = by_line
            .iter()
            .map(|&(_, i)| &facts.assigns[i as usize])
            .filter(|a| a.line == a.scope_line && !a.calls.iter().any(|c| c == STORES))
            .map(|a| a.line)
            .collect();
        starts.dedup();
        Some(Reach {
            facts,
            shadowed,
            by_line,
            calls_at,
            starts,
            memo: vec![None; facts.functions.len()],
            busy: HashSet::default(),
            methods,
            plain,
            imported,
            work: 0,
        })
    }

    /// The function(s) a call may run (at most [`MAX_DEFINITIONS`], and how
    /// many): `self.m` the method of the class the call is in; a plain name
    /// the file's functions of that name (all of them: which one is bound
    /// when it runs is not known), unless one is inside a class or the file
    /// also imports that name.
    fn callees(&self, c: &Call<'_>) -> ([u32; MAX_DEFINITIONS], usize) {
        let mut out = [0; MAX_DEFINITIONS];
        if let Some(m) = c.name.strip_prefix("self.").or_else(|| c.name.strip_prefix("cls.")) {
            let Some(k) = self.class_at(c.line) else { return (out, 0) };
            return match self.methods.get(&(k, m)) {
                Some(&i) => {
                    out[0] = i;
                    (out, 1)
                }
                None => (out, 0),
            };
        }
        match self.plain.get(c.name.as_str()) {
            Some(found) if !self.imported.contains(c.name.as_str()) => {
                out[..found.len()].copy_from_slice(found);
                (out, found.len())
            }
            _ => (out, 0),
        }
    }

    /// The innermost class whose lines hold `line` (numbered from 1), looked
    /// for among the last few classes that start before it (classes come in
    /// source order, an enclosing one first); None when none is found.
    fn class_at(&self, line: usize) -> Option<u32> {
        let classes = &self.facts.classes;
        let before = classes.partition_point(|c| c.1 <= line);
        (0..before).rev().take(MAX_CLASS_SCAN).find(|&k| classes[k].2 >= line).map(|k| k as u32 + 1)
    }

    /// The arguments (as `call << 8 | arg`) of the file's own functions
    /// called on `line` among `calls` whose parameter reaches nothing the
    /// callee returns.
    fn dropped_args(&mut self, line: usize, calls: &[String], depth: usize) -> Vec<usize> {
        // The value's calls: from its first line to the next assignment's
        // (a value written over several lines), a few dozen lines at most;
        // of each name no more calls than the value makes.
        let lo = self.calls_at.partition_point(|&(l, _)| l < line);
        if self.calls_at.get(lo).is_none_or(|&(l, _)| l >= line + MAX_VALUE_LINES) {
            return Vec::new();
        }
        let next = self.starts.partition_point(|&l| l <= line);
        let end = self.starts.get(next).copied().unwrap_or(usize::MAX).min(line + MAX_VALUE_LINES);
        let hi = self.calls_at.partition_point(|&(l, _)| l < end);
        if lo >= hi || hi - lo > MAX_LOCAL_CALLS || calls.len() > MAX_NAMES {
            return Vec::new();
        }
        let facts = self.facts;
        let mut out = Vec::new();
        let mut reached: Vec<bool> = Vec::new();
        for at in lo..hi {
            let ci = self.calls_at[at].1 as usize;
            let c = &facts.calls[ci];
            // No more calls of a name than the value makes: the first ones
            // in the lines are the value's.
            let made = calls.iter().filter(|n| **n == c.name).count();
            let before = self.calls_at[lo..at].iter().filter(|&&(_, o)| facts.calls[o as usize].name == c.name).count();
            if before >= made {
                continue;
            }
            let (callees, n) = self.callees(c);
            if n == 0 || c.args.len() > MAX_LOCAL_CALLS {
                continue;
            }
            // The union over the callees: a parameter reaches if it does in
            // any; callees whose parameters differ are not followed.
            let params = &facts.functions[callees[0] as usize].params;
            let mut positional = usize::MAX;
            reached.clear();
            reached.resize(params.len(), false);
            let mut known = true;
            for &f in &callees[..n] {
                let fun = &facts.functions[f as usize];
                if fun.params != *params || !self.reach(f as usize, depth + 1) {
                    known = false;
                    break;
                }
                if let Some(Some(r)) = &self.memo[f as usize] {
                    for (x, &y) in reached.iter_mut().zip(r.iter()) {
                        *x |= y;
                    }
                }
                positional = positional.min(fun.positional);
            }
            if !known {
                continue;
            }
            let mut position = 0;
            for (k, a) in c.args.iter().enumerate() {
                if a.text.starts_with('*') {
                    // `*xs`, `**kw`: which parameters they fill is not known.
                    break;
                }
                let target = match &a.keyword {
                    Some(kw) => params.iter().position(|p| p == kw.as_ref()),
                    None => {
                        position += 1;
                        if position > positional {
                            // Past the named ones: the callee's `*args`.
                            break;
                        }
                        Some(position - 1).filter(|&i| i < params.len())
                    }
                };
                if target.is_some_and(|i| !reached[i]) {
                    out.push(ci << 8 | k);
                }
            }
        }
        out
    }

    /// Works out which of function `i`'s parameters reach what it returns
    /// (kept in `memo`); false when that is not known (recursion, too deep,
    /// out of work).
    fn reach(&mut self, i: usize, depth: usize) -> bool {
        if let Some(known) = &self.memo[i] {
            return known.is_some();
        }
        if depth > MAX_DEPTH || self.work > MAX_WORK || !self.busy.insert(i) {
            return false;
        }
        let result = self.compute(i, depth);
        self.busy.remove(&i);
        // What a recursion or the depth limit left unknown inside is kept
        // whole there, so the result only ever keeps more: it can be kept.
        let known = result.is_some();
        self.memo[i] = Some(result.map(Vec::into_boxed_slice));
        known
    }

    fn compute(&mut self, i: usize, depth: usize) -> Option<Vec<bool>> {
        let facts = self.facts;
        let f = &facts.functions[i];
        // Its returns are the assignments to its name in its lines (a
        // `return` is one), unless a function inside it has that name.
        if self.shadowed[i] {
            return None;
        }
        let lo = self.by_line.partition_point(|&(l, _)| l < f.first_line);
        let hi = self.by_line.partition_point(|&(l, _)| l <= f.last_line);
        self.work += hi - lo;
        if self.work > MAX_WORK {
            return None;
        }
        // The assignments in the function's lines by the roots they bind,
        // sorted for lookups (one allocation, not one per root).
        let mut binds: Vec<(&'a str, u32)> = Vec::with_capacity(hi - lo);
        let mut queue: Vec<u32> = Vec::new();
        for &(_, a) in &self.by_line[lo..hi] {
            let step = &facts.assigns[a as usize];
            binds.extend(step.targets.iter().map(|t| (root(t), a)));
            if step.targets.len() == 1 && step.targets[0] == f.name {
                queue.push(a);
            }
        }
        binds.sort_unstable();
        let mut reached = vec![false; f.params.len()];
        let mut seen: HashSet<&'a str> = HashSet::default();
        let mut done: HashSet<u32> = HashSet::default();
        while let Some(a) = queue.pop() {
            if !done.insert(a) {
                continue;
            }
            let step = &facts.assigns[a as usize];
            self.work += 1 + step.calls.len() + step.names.len();
            if self.work > MAX_WORK {
                return None;
            }
            let dropped = if step.line == step.scope_line {
                self.dropped_args(step.line, &step.calls, depth)
            } else {
                Vec::new()
            };
            // What the step still reads once the dropped arguments are out
            // (a copy only where one is dropped); each read named by the
            // step's own text.
            let kept: Vec<&'a str> = if dropped.is_empty() {
                step.calls.iter().chain(&step.names).map(String::as_str).collect()
            } else {
                let (mut calls, mut names, mut counts, mut strings) =
                    (step.calls.clone(), step.names.clone(), step.name_counts.clone(), Vec::new());
                for d in dropped {
                    remove_arg(&mut calls, &mut names, &mut counts, &mut strings, &facts.calls[d >> 8].args[d & 0xff]);
                }
                step.calls
                    .iter()
                    .chain(&step.names)
                    .filter(|n| calls.contains(n) || names.contains(n))
                    .map(String::as_str)
                    .collect()
            };
            for n in kept {
                let r = root(n);
                if !seen.insert(r) {
                    continue;
                }
                if let Some(p) = f.params.iter().position(|p| p == r) {
                    reached[p] = true;
                }
                let from = binds.partition_point(|&(b, _)| b < r);
                queue.extend(binds[from..].iter().take_while(|&&(b, _)| b == r).map(|&(_, a)| a));
            }
        }
        Some(reached)
    }
}

#[cfg(test)]
mod tests {
    use crate::flow::{Flow, Labels};

    /// Whether `name` may hold the whole environment on `line`, read by each
    /// front-end (they must agree).
    fn environment(src: &str, line: usize, name: &str) -> bool {
        let fast = crate::python::parse(src);
        let slow = crate::python::parse_tree_sitter(src);
        let a = Flow::new(&fast).name_labels(line, name).has(Labels::ENVIRONMENT);
        let b = Flow::new(&slow).name_labels(line, name).has(Labels::ENVIRONMENT);
        assert_eq!(a, b, "the front-ends disagree on {name} in:\n{src}");
        a
    }

    #[test]
    fn a_helper_that_does_not_return_an_argument_does_not_hand_it_back() {
        let reads_one =
            "import os\ndef pick(env):\n    v = env.get('MODE')\n    if v:\n        return 'stdio'\n    return None\n";
        assert!(!environment(&format!("{reads_one}c = pick(os.environ)\n"), 7, "c"));
        // Over several lines, and beside a value of its own.
        assert!(!environment(
            &format!("{reads_one}c = (\n    o.c\n    if o.c\n    else pick(os.environ)\n)\n"),
            12,
            "c"
        ));
        // Still in the value when the rest of it reads the argument too.
        assert!(environment(&format!("{reads_one}e = os.environ\nc = pick(e) or e\n"), 8, "c"));
        // A helper that returns its argument, or what it made of it, hands it back.
        let copies = "import os\ndef keep(env):\n    d = dict(env)\n    return d\nc = keep(os.environ)\n";
        assert!(environment(copies, 5, "c"));
        let fills = "import os\ndef fill(out, env):\n    out.update(env)\n    return out\nc = fill({}, os.environ)\n";
        assert!(environment(fills, 5, "c"));
        let generator =
            "import os\ndef each(env):\n    for k in env:\n        yield k, env[k]\nc = list(each(os.environ))\n";
        assert!(environment(generator, 5, "c"));
        let closure = "import os\ndef later(env):\n    def inner():\n        return env\n    return inner\nc = later(os.environ)\n";
        assert!(environment(closure, 6, "c"));
        let walrus = "import os\ndef first(env):\n    if (x := env):\n        return x\nc = first(os.environ)\n";
        assert!(environment(walrus, 5, "c"));
    }

    #[test]
    fn arguments_go_to_the_parameter_they_fill() {
        let by_keyword = "import os\ndef run(cmd, env=None):\n    start(cmd, env=env)\n    return cmd\n";
        assert!(!environment(&format!("{by_keyword}c = run('x', env=os.environ)\n"), 5, "c"));
        assert!(!environment(&format!("{by_keyword}c = run('x', os.environ)\n"), 5, "c"));
        assert!(environment(&format!("{by_keyword}c = run(os.environ)\n"), 5, "c"));
        // Past the named parameters, an argument lands in `*args` (returned here).
        let star = "import os\ndef pack(first, *rest, env=None):\n    return rest\nc = pack(1, os.environ)\n";
        assert!(environment(star, 4, "c"));
        let bare = "import os\ndef pack(first, *, env=None):\n    return first\nc = pack(1, env=os.environ)\n";
        assert!(!environment(bare, 4, "c"));
        let spread = "import os\ndef two(a, b):\n    return a\nargs = [1, os.environ]\nc = two(*args)\n";
        assert!(environment(spread, 5, "c"));
    }

    #[test]
    fn callees_inside_callees_and_methods_are_followed() {
        let chain = "import os\ndef sign(url, key):\n    write(key)\n    return url\n\
                     def outer(url, key):\n    return sign(url, key)\nc = outer('u', os.environ)\n";
        assert!(!environment(chain, 7, "c"));
        let recursive = "import os\ndef swap(a, b, n):\n    if n:\n        return swap(b, a, n - 1)\n    return a\n\
                         c = swap(1, os.environ, 3)\n";
        assert!(environment(recursive, 6, "c"));
        let method = "import os\nclass C:\n    def path(self, env):\n        log(env)\n        return '/bin'\n    \
                      def go(self):\n        self.p = self.path(os.environ)\n";
        assert!(!environment(method, 7, "self.p"));
        // A name the file also imports may be that import's.
        let imported = "import os\nfrom lib import pick\ndef pick(env):\n    return 1\nc = pick(os.environ)\n";
        assert!(environment(imported, 5, "c"));
    }
}
