#!/usr/bin/env python3
"""Self-test of scripts/check_imports.py on synthetic crates in a temporary directory.

    python3 scripts/check_imports_test.py
"""
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "check_imports.py"
sys.path.insert(0, str(SCRIPT.parent))
import check_imports  # noqa: E402


def tree(root, files):
    for rel, text in files.items():
        path = Path(root) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def check(files, *args):
    """(exit status, stdout) of the script run on a synthetic repository."""
    with tempfile.TemporaryDirectory() as root:
        tree(root, {"Cargo.toml": '[package]\nname = "demo"\n', **files})
        done = subprocess.run([sys.executable, str(SCRIPT), "--root", root, *args],
                              capture_output=True, text=True)
        return done.returncode, done.stdout


def edges(files):
    """{(from, to): "file:line"} of the crate at crates/core in a synthetic repository."""
    with tempfile.TemporaryDirectory() as root:
        tree(root, files)
        crates = {c.name: c for c in check_imports.discover(Path(root))}
        crate = crates["core"]
        check_imports.build(crate, Path(root))
        return {(check_imports.name(a), check_imports.name(b)): w for (a, b), w in crate.edges.items()}


LIB = "crates/core/src/lib.rs"


class CheckImports(unittest.TestCase):
    def test_cycle_found_with_its_lines(self):
        rc, out = check({
            LIB: "pub mod a;\npub mod b;\npub mod c;\n",
            "crates/core/src/a.rs": "use crate::b::B;\npub struct A;\n",
            "crates/core/src/b.rs": "pub struct B;\n\nfn f() -> crate::a::A { crate::a::A }\n",
            "crates/core/src/c.rs": "use crate::a::A;\n",
        })
        self.assertEqual(rc, 1, out)
        self.assertIn("core: 4 modules, 1 import cycle", out)
        self.assertIn("cycle: a, b", out)
        self.assertIn("a -> b  (crates/core/src/a.rs:1)", out)
        self.assertIn("b -> a  (crates/core/src/b.rs:3)", out)
        self.assertNotIn("c -> a", out)  # c is outside the cycle

    def test_no_cycle_exit_zero_and_summary(self):
        rc, out = check({
            "src/lib.rs": "pub mod pages;\npub mod state;\n",
            "src/state.rs": "pub struct AppState;\n",
            "src/pages/mod.rs": "pub mod game;\n",
            "src/pages/game.rs": "use crate::state::AppState;\n",
            "src/bin/app.rs": "use demo::state;\nfn main() {}\n",
        })
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.strip(), "demo: 4 modules, no cycles")

    def test_test_only_import_ignored(self):
        rc, out = check({
            LIB: "pub mod a;\npub mod b;\n",
            "crates/core/src/a.rs": "use crate::b::B;\npub struct A;\n",
            "crates/core/src/b.rs": """
                pub struct B;

                #[cfg(test)]
                mod tests {
                    use crate::a::A;
                    #[test]
                    fn t() { let _ = crate::a::A; }
                }

                #[cfg(all(test, feature = "x"))]
                #[allow(unused)]
                mod more_tests { use crate::a::A; }
            """,
        })
        self.assertEqual(rc, 0, out)
        self.assertIn("core: 3 modules, no cycles", out)

    def test_grouped_multiline_use_parsed(self):
        found = edges({
            LIB: "pub mod x;\npub mod y;\npub mod pages;\npub mod user;\n",
            "crates/core/src/x.rs": "",
            "crates/core/src/y.rs": "",
            "crates/core/src/pages/mod.rs": "pub mod game;\n",
            "crates/core/src/pages/game.rs": "pub struct GamePage;\n",
            "crates/core/src/user.rs": """
                use std::fmt;
                use crate::{
                    x,
                    y::{self as why, Thing as Other},
                    pages::{game::GamePage},
                };
            """,
        })
        self.assertEqual(found[("user", "x")], "crates/core/src/user.rs:3")
        self.assertEqual(found[("user", "y")], "crates/core/src/user.rs:4")
        self.assertEqual(found[("user", "pages::game")], "crates/core/src/user.rs:5")
        self.assertNotIn(("user", "pages"), found)  # the deepest module only

    def test_comments_and_strings_ignored(self):
        rc, out = check({
            LIB: "pub mod a;\npub mod b;\n",
            "crates/core/src/a.rs": "use crate::b::B;\npub struct A;\n",
            "crates/core/src/b.rs": """
                // use crate::a::A;
                /// See [`crate::a::A`].
                /* a block comment /* nested */ crate::a::A */
                pub struct B;
                const S: &str = "crate::a::A // not a comment";
                const R: &str = r#"use crate::a::A;"#;
                const C: char = '"';
                fn f<'a>(s: &'a str) -> &'a str { s }
            """,
        })
        self.assertEqual(rc, 0, out)

    def test_reexport_followed_and_counted(self):
        found = edges({
            LIB: "pub mod error;\npub mod engine;\npub use error::{Error, Result};\npub use engine::Engine;\n",
            "crates/core/src/error.rs": "pub enum Error {}\n",
            "crates/core/src/engine.rs": "use crate::{Error, Result};\npub struct Engine;\n",
        })
        # crate::Error is error's: no engine -> crate edge (which would make a false crate <-> engine cycle).
        self.assertIn(("engine", "error"), found)
        self.assertNotIn(("engine", "crate"), found)
        # The re-exports themselves are edges; `pub mod` declarations are not.
        self.assertEqual(found[("crate", "error")], "crates/core/src/lib.rs:3")
        self.assertEqual(found[("crate", "engine")], "crates/core/src/lib.rs:4")

    def test_super_in_inline_module(self):
        found = edges({
            LIB: "pub mod a;\npub mod b;\n",
            "crates/core/src/a.rs": """
                pub struct A;
                mod run {
                    use super::*;
                    use self::inner::X;
                    use super::super::b::B;
                    mod inner { pub struct X; }
                }
            """,
            "crates/core/src/b.rs": "pub struct B;\n",
        })
        self.assertEqual(found, {("a", "b"): "crates/core/src/a.rs:5"})

    def test_dot(self):
        rc, out = check({
            LIB: "pub mod a;\npub mod b;\n",
            "crates/core/src/a.rs": "use crate::b::B;\n",
            "crates/core/src/b.rs": "use crate::a::A;\n",
        }, "--dot")
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("digraph imports {"), out)
        self.assertIn('"core/a" -> "core/b" [color=red', out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
