#!/usr/bin/env python3
"""Import-cycle check of every crate's modules (python3, standard library only).

    scripts/check_imports.py            # one line per crate; every cycle with the lines that make it
    scripts/check_imports.py --dot      # the module graphs in Graphviz dot (cycle edges in red)
    scripts/check_imports.py --root DIR # another checkout (or a synthetic tree, as in the self-test)

Crates: the root package (`src/`) and every crate under `crates/` whose `src/` has more than one
module; a binary with modules of its own (`src/bin/NAME/main.rs` + siblings) is checked as its own
crate. A module is a file: `src/lib.rs` (or `main.rs`) is the crate root, `foo.rs` and
`foo/mod.rs` are `foo`, `pages/game.rs` is `pages::game`. Inline `mod x { … }` blocks belong to
their file's module.

Edges: A → B for every path in A's text that names B: `use crate::B…` (grouped and multi-line
`use crate::{a, b::c}` forms too), `crate::B::…` in code, `self::`/`super::` paths, and in `use`
a path that starts with a child module's name (`pub use plan::X;`). A path maps to the deepest
module it names (`crate::pages::game::GamePage` → pages::game); when the item after that module is
one it re-exports with `pub use`, the edge goes to the module the item comes from
(`crate::Error` → error, given `pub use error::{Error, Result};` in lib.rs). `mod` declarations are
not edges; `pub use` re-exports are. Ignored: comments (doc comments too), string and char
literals, and any item under `#[cfg(test)]` / `#[cfg(all(test, …))]` (tests may import anything).

Exit status: 1 if any crate has a cycle (a strongly connected component of more than one
module: its modules, and for each of its edges one file:line that causes it), else 0.
"""
import argparse
import os
import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


# --- source text ---------------------------------------------------------------------------------

def blank(text):
    """The text with comments and the contents of string/char literals replaced by spaces,
    newlines kept, so that every offset still falls on its original line."""
    out = list(text)
    n = len(text)
    i = 0

    def wipe(a, b):
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            wipe(i, j)
            i = j
        elif c == "/" and nxt == "*":  # nested block comments
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            wipe(i, j)
            i = j
        elif c in "rb" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) and \
                re.match(r'(?:br|r)(#*)"', text[i:i + 300]):
            m = re.match(r'(?:br|r)(#*)"', text[i:])
            close = '"' + m.group(1)
            start = i + m.end()
            j = text.find(close, start)
            j = n if j < 0 else j + len(close)
            wipe(start, j - len(close))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            wipe(i + 1, j)
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '\u{1F600}', '{') or a lifetime/label ('a, 'static).
            if nxt == "\\":
                j = i + 2
                while j < n and text[j] != "'" and text[j] != "\n":
                    j += 1
                wipe(i + 1, j)
                i = j + 1
            elif i + 2 < n and text[i + 2] == "'":
                wipe(i + 1, i + 2)
                i += 3
            else:
                i += 1
        else:
            i += 1
    return "".join(out)


TEST_ATTR = re.compile(r"#\s*\[\s*cfg\s*\(\s*(?:all\s*\(\s*)?test\b[^\]]*\]")


def matching(text, open_at):
    """Offset just past the brace that closes the one at open_at (text already blanked)."""
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def drop_test_items(text):
    """Blank every item under #[cfg(test)] / #[cfg(all(test, …))]: a `mod x { … }` block, or any
    other item up to its `;` or its closing brace."""
    out = list(text)
    pos = 0
    while True:
        m = TEST_ATTR.search(text, pos)
        if not m:
            break
        j = m.end()
        # Further attributes between the cfg and the item.
        while True:
            a = re.compile(r"\s*#\s*\[").match(text, j)
            if not a:
                break
            depth, k = 0, a.end() - 1
            while k < len(text):
                depth += {"[": 1, "]": -1}.get(text[k], 0)
                k += 1
                if depth == 0:
                    break
            j = k
        semi = text.find(";", j)
        brace = text.find("{", j)
        if brace >= 0 and (semi < 0 or brace < semi):
            end = matching(text, brace)
        else:
            end = len(text) if semi < 0 else semi + 1
        for k in range(m.start(), end):
            if out[k] != "\n":
                out[k] = " "
        pos = end
    return "".join(out)


# --- use trees -----------------------------------------------------------------------------------

USE = re.compile(r"(?<![A-Za-z0-9_])(?:(pub)\s*(?:\([^)]*\))?\s+)?use\s+([^;]*);")
TOKEN = re.compile(r"::|[{},*]|" + IDENT)


def expand_use(body, offset):
    """`crate::{a, b::{self, c}}` → [(["crate","a"], off), (["crate","b"], off), (["crate","b","c"], off)];
    each leaf with the offset of its last segment. `as` renames are dropped; `*` ends a path."""
    tokens = [(m.group(), offset + m.start()) for m in TOKEN.finditer(body)]
    leaves = []

    def tree(i, prefix):
        path, last = list(prefix), None
        while i < len(tokens):
            tok, at = tokens[i]
            if tok == "{":
                i += 1
                while i < len(tokens) and tokens[i][0] != "}":
                    if tokens[i][0] == ",":
                        i += 1
                        continue
                    i = max(tree(i, path), i + 1)
                return i + 1
            if tok == "*":
                leaves.append((path + ["*"], at))
                return i + 1
            if tok in (",", "}"):
                break
            if tok == "::":
                i += 1
                continue
            if tok == "as":
                i += 2
                break
            if tok == "self" and path:
                last = at  # `b::{self, c}`: b itself
                i += 1
                continue
            path.append(tok)
            last = at
            i += 1
        if last is not None:
            leaves.append((path, last))
        return i

    i = 0
    while i < len(tokens):
        if tokens[i][0] == ",":
            i += 1
            continue
        i = max(tree(i, []), i + 1)  # always forward, even on a stray `}`
    return leaves


CODE_PATH = re.compile(r"(?<![A-Za-z0-9_:])((?:crate|self|super)(?:\s*::\s*" + IDENT + r")+)")


# --- crates and modules --------------------------------------------------------------------------

class Crate:
    def __init__(self, name, files):
        self.name = name
        self.files = files  # module path (tuple) → Path
        self.uses = {}  # module → [(segments, line, is_use, is_pub)]
        self.reexports = {}  # module → {name: segments relative to that module}
        self.edges = {}  # (a, b) → "file:line" of the first path that makes it


def module_files(src, root_file, skip_dirs):
    files = {(): root_file}
    for path in sorted(src.rglob("*.rs")):
        if path == root_file or any(d in path.parents for d in skip_dirs):
            continue
        rel = path.relative_to(src).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "mod":
            parts.pop()
        if parts and parts[-1] in ("main", "lib") and len(parts) == 1:
            continue  # the other crate root of a package with both lib.rs and main.rs
        files[tuple(parts)] = path
    return files


def discover(root):
    """(name, src dir, root file, dirs to skip) of every crate under root with modules."""
    found = []
    packages = [(root, None)]
    crates_dir = root / "crates"
    if crates_dir.is_dir():
        packages += [(p, p.name) for p in sorted(crates_dir.iterdir()) if (p / "src").is_dir()]
    for pkg, short in packages:
        src = pkg / "src"
        if not src.is_dir():
            continue
        name = short or package_name(pkg) or pkg.name
        bins = src / "bin"
        lib, main = src / "lib.rs", src / "main.rs"
        if lib.exists() or main.exists():
            root_file = lib if lib.exists() else main
            found.append((name, src, root_file, [bins]))
        if bins.is_dir():
            for b in sorted(bins.iterdir()):
                if b.is_dir() and (b / "main.rs").exists():
                    found.append((f"{name} (bin {b.name})", b, b / "main.rs", []))
    out = []
    for name, src, root_file, skip in found:
        files = module_files(src, root_file, skip)
        if len(files) > 1:
            out.append(Crate(name, files))
    return out


def package_name(pkg):
    try:
        text = (pkg / "Cargo.toml").read_text()
    except OSError:
        return None
    m = re.search(r'^\[package\][^\[]*?^name\s*=\s*"([^"]+)"', text, re.M | re.S)
    return m.group(1) if m else None


# --- the graph -----------------------------------------------------------------------------------

def scan(crate, repo_root):
    try:
        crate.rel = {mod: str(p.relative_to(repo_root)) for mod, p in crate.files.items()}
    except ValueError:
        crate.rel = {mod: str(p) for mod, p in crate.files.items()}
    for mod, path in crate.files.items():
        raw = path.read_text(encoding="utf-8", errors="replace")
        text = drop_test_items(blank(raw))
        line_of = lambda off: raw.count("\n", 0, off) + 1
        # Inline modules (`mod run { … }`): `super::` inside one means the file's own module.
        inline = [(m.start(), matching(text, m.end() - 1), m.group(1))
                  for m in re.finditer(r"(?<![A-Za-z0-9_])mod\s+(" + IDENT + r")\s*\{", text)]
        inside = lambda off: tuple(nm for a, b, nm in inline if a < off < b)
        found = []
        spans = []
        for m in USE.finditer(text):
            spans.append((m.start(), m.end()))
            for segs, off in expand_use(m.group(2), m.start(2)):
                found.append((segs, line_of(off), True, bool(m.group(1)), inside(off)))
        masked = list(text)
        for a, b in spans:
            for k in range(a, b):
                if masked[k] != "\n":
                    masked[k] = " "
        masked = "".join(masked)
        for m in CODE_PATH.finditer(masked):
            segs = re.split(r"\s*::\s*", m.group(1))
            found.append((segs, line_of(m.start()), False, False, inside(m.start())))
        crate.uses[mod] = found
        crate.reexports[mod] = {
            segs[-1]: segs for segs, _, is_use, is_pub, within in found
            if is_use and is_pub and not within and segs[-1] != "*"
        }


def resolve(crate, mod, segs, in_use, within=(), depth=0):
    """The module a path names, seen from file module mod (inside its inline modules `within`);
    None for another crate's path."""
    segs = [s for s in segs if s != "*"]
    if not segs:
        return None
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] in ("self", "super"):
        base, rest = mod + tuple(within), list(segs)
        while rest and rest[0] in ("self", "super"):
            if rest[0] == "super":
                base = base[:-1]
            rest.pop(0)
        while base not in crate.files:  # still inside the file's inline modules
            base = base[:-1]
    elif in_use and not within and mod + (segs[0],) in crate.files:
        base, rest = mod, list(segs)  # 2018 uniform path: a child module's name
    else:
        return None
    while rest and base + (rest[0],) in crate.files:
        base += (rest[0],)
        rest.pop(0)
    if rest and depth < 8:
        source = crate.reexports.get(base, {}).get(rest[0])
        if source is not None and source[-1] == rest[0]:
            # Skip the re-export itself (`pub use x::Y` names Y): follow it to where Y lives.
            via = resolve(crate, base, source + rest[1:], True, (), depth + 1)
            if via is not None:
                return via
    return base


def build(crate, repo_root):
    scan(crate, repo_root)
    for mod, found in crate.uses.items():
        for segs, line, is_use, _, within in found:
            target = resolve(crate, mod, segs, is_use, within)
            if target is None or target == mod:
                continue
            crate.edges.setdefault((mod, target), f"{crate.rel[mod]}:{line}")


def sccs(nodes, edges):
    """Tarjan's strongly connected components, iteratively."""
    succ = {n: sorted({b for (a, b) in edges if a == n}) for n in nodes}
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter[0]
                counter[0] += 1
                stack.append(v)
                on.add(v)
            recurse = False
            for j in range(i, len(succ[v])):
                w = succ[v][j]
                if w not in index:
                    work.append((v, j + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out


def name(mod):
    return "::".join(mod) if mod else "crate"


def cycles(crate):
    return [c for c in sccs(sorted(crate.files), crate.edges) if len(c) > 1]


def dot(crates):
    lines = ["digraph imports {", "  rankdir=LR;", '  node [shape=box, fontname="monospace"];']
    for k, crate in enumerate(crates):
        in_cycle = {m for c in cycles(crate) for m in c}
        lines.append(f"  subgraph cluster_{k} {{")
        lines.append(f'    label="{crate.name}";')
        node = lambda m: f'"{crate.name}/{name(m)}"'
        for m in sorted(crate.files):
            color = ', color=red' if m in in_cycle else ""
            lines.append(f'    {node(m)} [label="{name(m)}"{color}];')
        comps = {m: i for i, c in enumerate(cycles(crate)) for m in c}
        for (a, b), where in sorted(crate.edges.items()):
            red = a in comps and comps.get(a) == comps.get(b)
            style = f' [color=red, tooltip="{where}"]' if red else f' [tooltip="{where}"]'
            lines.append(f"    {node(a)} -> {node(b)}{style};")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                    help="repository root (default: this script's checkout)")
    ap.add_argument("--dot", action="store_true", help="print the graphs in Graphviz dot")
    args = ap.parse_args(argv)
    crates = discover(args.root)
    for crate in crates:
        build(crate, args.root)
    if args.dot:
        print(dot(crates))
        return 0
    failed = False
    for crate in crates:
        found = cycles(crate)
        n = len(crate.files)
        if not found:
            print(f"{crate.name}: {n} modules, no cycles")
            continue
        failed = True
        print(f"{crate.name}: {n} modules, {len(found)} import cycle{'s' if len(found) > 1 else ''}")
        for comp in found:
            members = set(comp)
            print(f"  cycle: {', '.join(name(m) for m in comp)}")
            for (a, b), where in sorted(crate.edges.items()):
                if a in members and b in members:
                    print(f"    {name(a)} -> {name(b)}  ({where})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
