#!/usr/bin/env python3
"""Lists each crate's module dependencies and the cycles among them.

Usage: scripts/module-cycles.py [CRATE_SRC_DIR ...]   (default: src runtime/src ecr/src)

A module is a file (mod.rs and lib.rs/main.rs name their directory). An
edge A -> B is any `crate::B...` or `super::...` path in A's text that names
B or one of its descendants (uses of a parent module's own items count as
an edge to the parent). Exits 1 when a cycle exists.
"""
import pathlib
import re
import sys


def module_of(src: pathlib.Path, file: pathlib.Path) -> tuple:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip_comments(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def tests_removed(text: str) -> str:
    # A `#[cfg(test)] mod tests { … }` block is test code, not the module's dependency.
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text


def paths_in(text: str):
    """Every `crate::…`/`super::…` path, with `use` groups expanded one level."""
    for m in re.finditer(r"\b(crate|super)((?:::\w+)*)(?:::\{([^}]*)\})?", text):
        base = [m.group(1)] + [p for p in m.group(2).split("::") if p]
        if m.group(3):
            for item in m.group(3).split(","):
                item = item.strip().split(" as ")[0].split("::")
                yield base + [i for i in item if i and i != "self"]
        else:
            yield base


def resolve(here: tuple, path: list, modules: set):
    if path[0] == "crate":
        target = ()
        rest = path[1:]
    else:
        target = here
        rest = path
        while rest and rest[0] == "super":
            target = target[:-1]
            rest = rest[1:]
    # the longest prefix that is a module
    best = target
    for i in range(1, len(rest) + 1):
        candidate = target + tuple(rest[:i])
        if candidate in modules:
            best = candidate
    return best


def cycles(graph: dict):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main(dirs):
    found = False
    for d in dirs:
        src = pathlib.Path(d)
        files = {module_of(src, f): f for f in sorted(src.rglob("*.rs"))}
        modules = set(files)
        graph = {}
        for here, f in files.items():
            text = tests_removed(strip_comments(f.read_text()))
            deps = set()
            for path in paths_in(text):
                target = resolve(here, path, modules)
                # A module using its own descendants or ancestors' items is structure, not a cycle.
                if target != here and target[: len(here)] != here and here[: len(target)] != target:
                    deps.add(target)
            graph[here] = sorted(deps)
        name = lambda m: "::".join(m) or "(root)"
        print(f"## {d}")
        for m, deps in sorted(graph.items()):
            if deps:
                print(f"{name(m)} -> {', '.join(name(x) for x in deps)}")
        found_here = cycles(graph)
        print("cycles:", [[name(m) for m in c] for c in found_here] or "none")
        found |= bool(found_here)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["src", "runtime/src", "ecr/src"]))
