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

use crate::facts::{Arg, Call, Facts, STORES, innermost_classes};

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
    let mut r = Reach::new(facts);
    let mut edits: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, a) in facts.assigns.iter().enumerate() {
        if a.line != a.scope_line {
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
    /// Innermost function around each line (index into `functions` plus one).
    function_at: Vec<u32>,
    class_at: Vec<u32>,
    /// Assignments by line, in line order.
    by_line: Vec<u32>,
    /// (line, call) in line order, only calls that may name one of the
    /// file's functions.
    calls_at: Vec<(usize, u32)>,
    /// The first lines of statements that assign, in order: where the
    /// value of the one before may end.
    starts: Vec<usize>,
    /// Which parameters of each function reach its result (None: not yet
    /// known; Some(None): every parameter, as far as anyone can tell).
    memo: Vec<Option<Option<Vec<bool>>>>,
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
    fn new(facts: &'a Facts<'s>) -> Self {
        let spans: Vec<(String, usize, usize)> =
            facts.functions.iter().map(|f| (String::new(), f.first_line, f.last_line)).collect();
        let function_at = innermost_classes(&spans);
        let class_at = innermost_classes(&facts.classes);
        let mut by_line: Vec<u32> = (0..facts.assigns.len() as u32).collect();
        by_line.sort_by_key(|&i| facts.assigns[i as usize].line);
        let defined: HashSet<&str> = facts.functions.iter().map(|f| f.name.as_str()).collect();
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
        for (first, std::cmp::Reverse(last), class, id) in defs {
            while open.last().is_some_and(|&(end, _, _)| end < first) {
                open.pop();
            }
            if !class {
                let name = facts.functions[id as usize].name.as_str();
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
        let mut calls_at: Vec<(usize, u32)> = Vec::new();
        for (i, c) in facts.calls.iter().enumerate() {
            let own = c.name.strip_prefix("self.").or_else(|| c.name.strip_prefix("cls.")).unwrap_or(&c.name);
            if !own.contains('.') && defined.contains(own) {
                calls_at.push((c.line, i as u32));
            }
        }
        calls_at.sort_unstable();
        let mut starts: Vec<usize> = facts
            .assigns
            .iter()
            .filter(|a| a.line == a.scope_line && !a.calls.iter().any(|c| c == STORES))
            .map(|a| a.line)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        Reach {
            facts,
            function_at,
            class_at,
            by_line,
            calls_at,
            starts,
            memo: vec![None; facts.functions.len()],
            busy: HashSet::default(),
            methods,
            plain,
            imported,
            work: 0,
        }
    }

    /// The function(s) a call may run: `self.m` the method of the class the
    /// call is in; a plain name the file's functions of that name (all of
    /// them: which one is bound when it runs is not known), unless one is
    /// inside a class or the file also imports that name.
    fn callees(&self, c: &Call<'_>) -> Vec<usize> {
        if let Some(m) = c.name.strip_prefix("self.").or_else(|| c.name.strip_prefix("cls.")) {
            let k = self.class_at.get(c.line).copied().unwrap_or(0);
            return self.methods.get(&(k, m)).map(|&i| vec![i as usize]).unwrap_or_default();
        }
        match self.plain.get(c.name.as_str()) {
            Some(found) if !self.imported.contains(c.name.as_str()) => found.iter().map(|&i| i as usize).collect(),
            _ => Vec::new(),
        }
    }

    /// The arguments (as `call << 8 | arg`) of the file's own functions
    /// called on `line` among `calls` whose parameter reaches nothing the
    /// callee returns.
    fn dropped_args(&mut self, line: usize, calls: &[String], depth: usize) -> Vec<usize> {
        // The value's calls: from its first line to the next assignment's
        // (a value written over several lines), a few dozen lines at most;
        // of each name no more calls than the value makes.
        let next = self.starts.partition_point(|&l| l <= line);
        let end = self.starts.get(next).copied().unwrap_or(usize::MAX).min(line + MAX_VALUE_LINES);
        let lo = self.calls_at.partition_point(|&(l, _)| l < line);
        let hi = self.calls_at.partition_point(|&(l, _)| l < end);
        if lo == hi {
            return Vec::new();
        }
        if hi - lo > MAX_LOCAL_CALLS || calls.len() > MAX_NAMES {
            return Vec::new();
        }
        let at: Vec<u32> = self.calls_at[lo..hi].iter().map(|&(_, c)| c).collect();
        let mut left: Vec<&str> = calls.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        for ci in at {
            let c = &self.facts.calls[ci as usize];
            let Some(p) = left.iter().position(|n| *n == c.name) else { continue };
            left.swap_remove(p);
            if c.args.len() > MAX_LOCAL_CALLS {
                continue;
            }
            let callees = self.callees(c);
            if callees.is_empty() {
                continue;
            }
            // The union over the callees: a parameter reaches if it does in any.
            let mut reached: Option<Vec<(String, bool)>> = None;
            let mut positional = usize::MAX;
            let mut known = true;
            for f in callees {
                match self.reach(f, depth + 1) {
                    Some(r) => {
                        let fun = &self.facts.functions[f];
                        let pairs: Vec<(String, bool)> = fun.params.iter().cloned().zip(r).collect();
                        positional = positional.min(fun.positional);
                        reached = Some(match reached {
                            None => pairs,
                            Some(prev)
                                if prev.len() == pairs.len() && prev.iter().zip(&pairs).all(|(a, b)| a.0 == b.0) =>
                            {
                                prev.into_iter().zip(pairs).map(|(a, b)| (a.0, a.1 || b.1)).collect()
                            }
                            Some(_) => {
                                known = false;
                                break;
                            }
                        });
                    }
                    None => {
                        known = false;
                        break;
                    }
                }
            }
            let (true, Some(params)) = (known, reached) else { continue };
            let mut position = 0;
            for (k, a) in c.args.iter().enumerate() {
                if a.text.starts_with('*') {
                    // `*xs`, `**kw`: which parameters they fill is not known.
                    break;
                }
                let target = match &a.keyword {
                    Some(kw) => params.iter().find(|p| p.0 == kw.as_ref()),
                    None => {
                        position += 1;
                        if position > positional {
                            // Past the named ones: the callee's `*args`.
                            break;
                        }
                        params.get(position - 1)
                    }
                };
                if let Some((_, false)) = target {
                    out.push((ci as usize) << 8 | k);
                }
            }
        }
        out
    }

    /// Which of function `i`'s parameters reach what it returns; None when
    /// that is not known (recursion, too deep, out of work).
    fn reach(&mut self, i: usize, depth: usize) -> Option<Vec<bool>> {
        if let Some(known) = &self.memo[i] {
            return known.clone();
        }
        if depth > MAX_DEPTH || self.work > MAX_WORK || !self.busy.insert(i) {
            return None;
        }
        let result = self.compute(i, depth);
        self.busy.remove(&i);
        // What a recursion or the depth limit left unknown inside is kept
        // whole there, so the result only ever keeps more: it can be kept.
        self.memo[i] = Some(result.clone());
        result
    }

    fn compute(&mut self, i: usize, depth: usize) -> Option<Vec<bool>> {
        let facts = self.facts;
        let f = &facts.functions[i];
        let lo = self.by_line.partition_point(|&a| facts.assigns[a as usize].line < f.first_line);
        let hi = self.by_line.partition_point(|&a| facts.assigns[a as usize].line <= f.last_line);
        let inside: Vec<u32> = self.by_line[lo..hi].to_vec();
        self.work += inside.len();
        if self.work > MAX_WORK {
            return None;
        }
        // The assignments in the function's lines by the roots they bind.
        let mut binds: HashMap<&str, Vec<u32>> = HashMap::default();
        for &a in &inside {
            for t in &facts.assigns[a as usize].targets {
                binds.entry(root(t)).or_default().push(a);
            }
        }
        let mut reached = vec![false; f.params.len()];
        let mut seen: HashSet<String> = HashSet::default();
        let mut queue: Vec<u32> = inside
            .iter()
            .copied()
            .filter(|&a| {
                let a = &facts.assigns[a as usize];
                a.targets.len() == 1
                    && a.targets[0] == f.name
                    && self.function_at.get(a.line).copied() == Some(i as u32 + 1)
            })
            .collect();
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
            let mut calls = step.calls.clone();
            let mut names = step.names.clone();
            let mut counts = step.name_counts.clone();
            let mut strings = step.strings.clone();
            for d in dropped {
                remove_arg(&mut calls, &mut names, &mut counts, &mut strings, &facts.calls[d >> 8].args[d & 0xff]);
            }
            for n in calls.iter().chain(&names) {
                let r = root(n);
                if seen.contains(r) {
                    continue;
                }
                seen.insert(r.to_owned());
                if let Some(p) = f.params.iter().position(|p| p == r) {
                    reached[p] = true;
                }
                if let Some(more) = binds.get(r) {
                    queue.extend(more.iter().copied());
                }
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
