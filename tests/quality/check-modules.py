#!/usr/bin/env python3
"""check-modules.py BUILD_DIR SOURCE_DIR - the module map holds.

Reads the symbols that each object file of reportflow's own code defines and
uses (nm), and fails when
  - two modules call each other, directly or round a longer loop (a cycle in
    the graph "module A uses a symbol that module B defines");
  - a module exports a name without its prefix (the file name: worker.c
    exports worker_*, common/src/log.c exports rf_log_*; main.c only main; a
    tool's file main, a module of a tool its name: tools/diff.c diff_*);
  - a source file is over 700 lines without saying why in its first lines
    ("Long because: ...");
  - two headers share an include guard, or two integration tests a number;
  - a module is missing from the module table of docs/DESIGN.md.
Tests, benchmarks and generated files are not modules and are not read.
"""
import os
import subprocess
import sys

MAX_LINES = 700
LONG_REASON = "Long because:"


def objects(build, root):
    """(module, object path) for every object of a source file in the tree (a stale
    object whose source was moved away is not one)."""
    for dirpath, _, files in os.walk(build):
        if "/tests" in dirpath[len(build):] or "CMakeFiles" not in dirpath:
            continue
        for f in files:
            if not f.endswith(".c.o"):
                continue
            path = os.path.join(dirpath, f)
            target_dir = dirpath[len(build) + 1:].split("/CMakeFiles/")
            top, inner = target_dir[0], target_dir[1].split("/", 1)
            rel = inner[1] if len(inner) > 1 else ""
            src = os.path.join(top, rel, f[:-len(".c.o")]) if rel else os.path.join(top, f[:-len(".c.o")])
            if not os.path.exists(os.path.join(root, src + ".c")):
                continue
            yield os.path.normpath(src), path


def symbols(path):
    out = subprocess.run(["nm", "-g", path], check=True, capture_output=True, text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRGSVWC" and not parts[2].startswith("__"):
            defined.add(parts[2])
    return defined, used


def prefixes(module):
    """The prefixes a module's exported names may carry."""
    name = os.path.basename(module)
    if name == "main":
        return ("main",)
    if module.startswith("tools/"):
        return ("main", name + "_")  # a tool's file, or a module of a tool (tools/diff.c: diff_*)
    if module.startswith("common/src/"):
        return ("rf_" + name + "_", "rf_" + name)
    return (name + "_", name)


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def long_files(root):
    bad = []
    listed = subprocess.run(["git", "-C", root, "ls-files", "*.c", "*.h"], check=True,
                            capture_output=True, text=True).stdout.split()
    for rel in listed:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            lines = f.readlines()
        if len(lines) > MAX_LINES and not any(LONG_REASON in l for l in lines[:15]):
            bad.append(f"{rel}: {len(lines)} lines, over {MAX_LINES} with no '{LONG_REASON}' at its top")
    return bad


def analyse(modules):
    """Problems of the module graph of @modules, a list of (module, object path)."""
    owner, uses, problems = {}, {}, []
    for module, path in modules:
        defined, used = symbols(path)
        uses[module] = used
        for sym in defined:
            owner.setdefault(sym, module)
            if not sym.startswith(prefixes(module)):
                problems.append(f"{module}.c exports {sym}, not named {prefixes(module)[0]}...")
    graph, why = {}, {}
    for module, used in uses.items():
        for sym in used:
            other = owner.get(sym)
            if other and other != module:
                graph.setdefault(module, set()).add(other)
                why.setdefault((module, other), sym)
    for comp in cycles(graph):
        edges = [f"{a} -> {b} ({why[(a, b)]})" for a in comp for b in comp if (a, b) in why]
        problems.append("call cycle between " + ", ".join(comp) + ": " + "; ".join(edges))
    return problems, sum(len(v) for v in graph.values())


def self_test():
    """The check finds a cycle and a name without its prefix in two objects made for it."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        srcs = {"ping": "int pong_back(int);\nint ping_send(int n) { return n ? pong_back(n - 1) : 0; }\n",
                "pong": "int ping_send(int);\nint pong_back(int n) { return ping_send(n); }\n"
                        "int stray(void) { return 1; }\n"}
        modules = []
        for name, text in srcs.items():
            c, o = os.path.join(tmp, name + ".c"), os.path.join(tmp, name + ".o")
            with open(c, "w") as f:
                f.write(text)
            subprocess.run(["cc", "-c", c, "-o", o], check=True)
            modules.append(("x/" + name, o))
        problems, _ = analyse(modules)
    want = ["call cycle between x/ping, x/pong", "x/pong.c exports stray"]
    missed = [w for w in want if not any(p.startswith(w) for p in problems)]
    for w in missed:
        print("check-modules: self-test: not found:", w)
    return not missed


def guards_and_numbers(root):
    """Headers with the same include guard; integration tests with the same number."""
    listed = subprocess.run(["git", "-C", root, "ls-files", "*.h", "tests/integration/*.sh"],
                            check=True, capture_output=True, text=True).stdout.split()
    seen, bad = {}, []
    for rel in listed:
        if rel.endswith(".h"):
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                guard = next((l.split()[1] for l in f if l.startswith("#ifndef ")), None)
            key = ("guard", guard or rel)
        else:
            key = ("test number", os.path.basename(rel).split("-")[0])
        if key in seen:
            bad.append(f"{seen[key]} and {rel} share the {key[0]} {key[1]}")
        seen[key] = rel
    return bad


def undocumented(root, modules):
    """Modules that docs/DESIGN.md's module table does not name."""
    with open(os.path.join(root, "docs", "DESIGN.md"), encoding="utf-8") as f:
        design = f.read()
    return [f"{m}.c is not in the module table of docs/DESIGN.md" for m in sorted({m for m, _ in modules})
            if f"`{m}.c`" not in design]


def main():
    build, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not self_test():
        return 1
    modules = list(objects(build, root))
    problems, edges = analyse(modules)
    problems += long_files(root)
    problems += guards_and_numbers(root)
    problems += undocumented(root, modules)
    if len(modules) < 20:
        problems.append(f"only {len(modules)} object files found under {build}: is it built?")
    for p in sorted(set(problems)):
        print("check-modules:", p)
    print(f"check-modules: {len(modules)} modules, {edges} uses between them, "
          f"{len(set(problems))} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
