#!/usr/bin/env python3
"""Does op-profile measure what ships? (python3 ≥ 3.11, standard library only; run from anywhere.)

op-profile is its own workspace, so it carries a copy of the worker's `web-worker` profile and its own
Cargo.lock. This fails when either has drifted from the repository root's: the profile settings of every
crate op-profile links (its binary standing for the worker crate `playground`), and tract's version.
"""
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RENAME = {"op-profile": "playground"}  # the experiment's binary stands for the worker crate


def load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def flat(profiles, name):
    """A profile with what it inherits (web-worker → web → release)."""
    p = profiles.get(name, {})
    base = flat(profiles, p["inherits"]) if p.get("inherits") in profiles else {"package": {}}
    own = {k: v for k, v in p.items() if k != "package"}
    return {**base, **own, "package": {**base["package"], **p.get("package", {})}}


def main():
    shipped = flat(load(ROOT / "Cargo.toml")["profile"], "web-worker")
    ours = flat(load(HERE / "Cargo.toml")["profile"], "web-worker")
    lock = load(HERE / "Cargo.lock")["package"]
    root_lock = load(ROOT / "Cargo.lock")["package"]
    problems = [f"profile web-worker: {k} = {ours.get(k)!r}, shipped {shipped.get(k)!r}"
                for k in ("opt-level", "lto", "codegen-units") if ours.get(k) != shipped.get(k)]
    for pkg in sorted({p["name"] for p in lock} | set(RENAME)):
        mine = ours["package"].get(pkg, {}).get("opt-level")
        theirs = shipped["package"].get(RENAME.get(pkg, pkg), {}).get("opt-level")
        if mine != theirs:
            problems.append(f"profile web-worker, package {pkg}: opt-level {mine!r}, shipped {theirs!r}")
    shipped_tract = {(p["name"], p["version"]) for p in root_lock if p["name"].startswith("tract-")}
    for p in lock:
        if p["name"].startswith("tract-") and (p["name"], p["version"]) not in shipped_tract:
            problems.append(f"Cargo.lock: {p['name']} {p['version']}, not the version the root Cargo.lock ships")
    for line in problems:
        print(f"experiments/op-profile: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
