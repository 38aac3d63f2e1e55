#!/usr/bin/env python3
"""audit_tools.py: every program our scripts call comes from a package that scripts/setup installs.

Reads the shell scripts (through shfmt's syntax tree), the Python scripts
(through ast) and the meson files of the default test run, the demo and the
benchmarks; collects every program they run by name (commands, the words of
`command -v` lists, subprocess calls, shutil.which, find_program) and checks:
  1. scripts/tools.txt maps each one to the Debian package that ships it;
  2. that package is in scripts/packages.txt, or is one that every Debian
     system has (Essential or Priority required, as dpkg says);
  3. on this machine (after scripts/setup) the program is installed and dpkg
     says that package owns it.
A third column names the packages.txt entry that brings a package in (gcc
comes with build-essential); the audit asks apt-cache that it does.
Python modules outside the standard library and the repo must be mapped too
("python:NAME PACKAGE"). Exit 0 all good, 1 with one line per finding.
"""
import ast
import json
import os
import re
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Run inside the Xen guests (busybox and the fetched Xen tools), not on the host.
GUEST_SCRIPTS = {"tests/xen/dom0-init.sh", "tests/xen/domU-init.sh"}
SHELL_DIRS = ["scripts", "tests", "bench", "qemu-vgpu", "demo", "admin", "dom0"]
BUILTINS = set("""
    . : [ [[ alias bg break builtin caller cd command compgen complete continue declare
    dirs disown echo enable eval exec exit export false fc fg getopts hash help history
    jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly
    return set shift shopt source suspend test times trap true type typeset ulimit
    umask unalias unset wait""".split())
# Programs that run the program named after their own options: how many
# positional words come first, and which options take a value.
WRAPPERS = {"timeout": (1, {"-k", "-s"}), "env": (0, {"-u", "-C", "-S"}), "nice": (0, {"-n"}),
            "exec": (0, {"-a"}), "sudo": (0, {"-u", "-g"}), "setpriv": (0, set()),
            "unshare": (0, set()), "xargs": (0, {"-n", "-I", "-P", "-d"}), "flock": (1, {"-w", "-E"}),
            "chroot": (1, set()), "command": (0, set()), "nohup": (0, set())}
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.+-]*$")


def rel(path):
    return os.path.relpath(path, TOP)


def tracked_files():
    out = subprocess.run(["git", "-C", TOP, "ls-files", "--cached", "--others",
                          "--exclude-standard"], capture_output=True, text=True)
    if out.returncode != 0:  # not a checkout: walk the tree
        return [rel(os.path.join(d, f)) for d, _, fs in os.walk(TOP) for f in fs]
    return out.stdout.split()


def is_shell(path):
    if path.endswith(".sh"):
        return True
    if "." in os.path.basename(path) or not os.path.isfile(os.path.join(TOP, path)):
        return False
    with open(os.path.join(TOP, path), "rb") as f:
        first = f.readline()
    return first.startswith(b"#!") and re.search(rb"\b(ba|da)?sh\b", first) is not None


def lit(word):
    """The literal text of a shfmt word, or None if any part is not literal."""
    parts = word.get("Parts") or []
    if len(parts) != 1:
        return None
    p = parts[0]
    if p.get("Type") == "Lit":
        return p.get("Value")
    if p.get("Type") in ("SglQuoted", "DblQuoted") and p.get("Value") is not None:
        return p.get("Value")
    return None


def walk(node, visit):
    if isinstance(node, dict):
        visit(node)
        for v in node.values():
            walk(v, visit)
    elif isinstance(node, list):
        for v in node:
            walk(v, visit)


def call_programs(args):
    """Programs a call runs by name: the first word, and what a wrapper runs."""
    words = [lit(a) for a in args]
    found = []
    i = 0
    while i < len(words):
        w = words[i]
        if w is None or "=" in w:
            return found
        if w == "command" and i + 1 < len(words) and words[i + 1] in ("-v", "-V"):
            return found + [x for x in words[i + 2:] if x and NAME.match(x)]
        found.append(w)
        if w not in WRAPPERS:
            return found
        skip, with_value = WRAPPERS[w]
        i += 1
        while i < len(words) and words[i] is not None and (
                words[i].startswith("-") or ("=" in words[i] and w in ("env", "sudo"))):
            i += 2 if words[i] in with_value else 1
        i += skip
    return found


def shell_uses(path, functions):
    src = os.path.join(TOP, path)
    with open(src, encoding="utf-8") as f:
        out = subprocess.run(["shfmt", "-ln", "bash", "--to-json"], stdin=f, capture_output=True, text=True)
    if out.returncode != 0:
        return [], [f"{path}: shfmt cannot parse it: {out.stderr.strip()}"]
    tree = json.loads(out.stdout)
    uses = []

    def visit(n):
        t = n.get("Type")
        if t == "FuncDecl":
            functions.add(n["Name"]["Value"])
        elif t == "CallExpr":
            line = n["Pos"]["Line"]
            uses.extend((p, line) for p in call_programs(n.get("Args") or []))
        elif t == "ForClause" and (n.get("Loop") or {}).get("Type") == "WordIter":
            var = n["Loop"]["Name"]["Value"]
            body = json.dumps(n.get("Do"))
            if re.search(r'"Value": "command".{0,400}"Value": "-v".{0,400}"Param".{0,200}"Value": "%s"'
                         % re.escape(var), body, re.S):
                for item in n["Loop"].get("Items") or []:
                    w = lit(item)
                    if w and NAME.match(w):
                        uses.append((w, n["Pos"]["Line"]))

    walk(tree, visit)
    return uses, []


def python_uses(path):
    src = os.path.join(TOP, path)
    tree = ast.parse(open(src, encoding="utf-8").read(), src)
    uses, modules = [], []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            fname = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if fname == "which" and n.args and isinstance(n.args[0], ast.Constant):
                uses.append((n.args[0].value, n.lineno))
            elif fname in ("run", "Popen", "call", "check_call", "check_output", "execvp") and n.args:
                a = n.args[-1] if fname == "execvp" else n.args[0]
                if isinstance(a, (ast.List, ast.Tuple)) and a.elts and isinstance(a.elts[0], ast.Constant) \
                        and isinstance(a.elts[0].value, str):
                    uses.extend((w, n.lineno) for w in call_programs_py(a.elts))
        elif isinstance(n, ast.Import):
            modules.extend((a.name.split(".")[0], n.lineno) for a in n.names)
        elif isinstance(n, ast.ImportFrom) and n.level == 0 and n.module:
            modules.append((n.module.split(".")[0], n.lineno))
    return uses, modules


def call_programs_py(elts):
    words = [{"Parts": [{"Type": "Lit", "Value": e.value}]} if isinstance(e, ast.Constant)
             and isinstance(e.value, str) else {"Parts": []} for e in elts]
    return call_programs(words)


def meson_uses(path):
    text = open(os.path.join(TOP, path), encoding="utf-8").read()
    uses = []
    for m in re.finditer(r"find_program\(([^)]*)\)", text):
        line = text.count("\n", 0, m.start()) + 1
        for name in re.findall(r"'([^']+)'", m.group(1).split("required")[0]):
            if "/" not in name and NAME.match(name):
                uses.append((name, line))
    return uses


def read_list(path):
    rows = []
    for raw in open(os.path.join(TOP, path), encoding="utf-8"):
        line = raw.split("#", 1)[0].split()
        if line:
            rows.append(line)
    return rows


def dpkg_field(pkg, field):
    out = subprocess.run(["dpkg-query", "-W", "-f", "${%s}" % field, pkg], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def owners(path):
    """Packages that own the path, its /usr-merged twin, or its links' targets."""
    seen, pkgs = set(), set()
    while path and path not in seen:
        seen.add(path)
        for p in {path, re.sub(r"^/usr(/s?bin/)", r"\1", path), re.sub(r"^(/s?bin/)", r"/usr\1", path)}:
            out = subprocess.run(["dpkg-query", "-S", p], capture_output=True, text=True)
            if out.returncode == 0:
                pkgs.update(x.strip().split(":")[0] for line in out.stdout.splitlines()
                            if not line.startswith("diversion ")
                            for x in line.rsplit(": ", 1)[0].split(","))
        path = os.path.join(os.path.dirname(path), os.readlink(path)) if os.path.islink(path) else None
    return pkgs


def everywhere(pkg):
    return dpkg_field(pkg, "Essential") == "yes" or dpkg_field(pkg, "Priority") == "required"


def pulls_in(via, pkg):
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                          "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", via],
                         capture_output=True, text=True)
    return re.search(r"^\s*(\|?(Pre)?Depends: )?<?%s>?$" % re.escape(pkg), out.stdout, re.M) is not None


def system_path(prog):
    """Where Debian's package puts the program (PATH may put pyenv or /usr/local first)."""
    for d in ("/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if os.access(os.path.join(d, prog), os.X_OK):
            return os.path.join(d, prog)
    return None


def check_row(prog, pkg, via, listed):
    if pkg in ("(cuda)", "(optional)"):
        return []
    found = []
    if via is not None:
        if via not in listed:
            found.append(f"scripts/tools.txt: '{prog}' comes with {via}, which scripts/packages.txt does not list")
        elif not pulls_in(via, pkg):
            found.append(f"scripts/tools.txt: {via} does not bring in {pkg} (for '{prog}')")
    elif pkg not in listed and not everywhere(pkg):
        found.append(f"scripts/tools.txt: '{prog}' comes from {pkg}, which is neither in "
                     "scripts/packages.txt nor on every Debian system")
    if prog.startswith("python:"):
        if dpkg_field(pkg, "Status") != "install ok installed":
            found.append(f"{prog}: package {pkg} is not installed (run scripts/setup)")
        return found
    path = system_path(prog)
    if path is None:
        found.append(f"'{prog}' is not installed: apt-get install {via or pkg} (scripts/setup does, "
                     "once scripts/packages.txt lists it)")
    elif pkg not in owners(path):
        found.append(f"scripts/tools.txt says '{prog}' comes from {pkg}, dpkg says {sorted(owners(path))}")
    return found


def main():
    files = [f for f in tracked_files() if f.split("/")[0] in SHELL_DIRS or f.startswith("meson")]
    findings, uses, modules, functions = [], [], [], set()
    local_modules = {os.path.splitext(os.path.basename(f))[0] for f in files if f.endswith(".py")}
    for f in sorted(files):
        if f in GUEST_SCRIPTS:
            continue
        if f.endswith(".py"):
            u, m = python_uses(f)
            uses += [(p, f, ln) for p, ln in u]
            modules += [(x, f, ln) for x, ln in m]
        elif os.path.basename(f) == "meson.build":
            uses += [(p, f, ln) for p, ln in meson_uses(f)]
        elif is_shell(f):
            u, err = shell_uses(f, functions)
            findings += err
            uses += [(p, f, ln) for p, ln in u]

    tools = {row[0]: row[1:] for row in read_list("scripts/tools.txt")}
    listed = {row[0] for row in read_list("scripts/packages.txt")}
    repo_names = {os.path.basename(f) for f in tracked_files()}
    used = {}
    for prog, f, ln in uses:
        if prog in BUILTINS or prog in functions or "/" in prog or not NAME.match(prog) \
                or prog in repo_names or prog.endswith("_"):
            continue
        used.setdefault(prog, f"{f}:{ln}")
    for name, f, ln in modules:
        if name in sys.stdlib_module_names or name in local_modules:
            continue
        used.setdefault("python:" + name, f"{f}:{ln}")

    for prog, where in sorted(used.items()):
        if prog not in tools:
            findings.append(f"{where}: calls '{prog}', which scripts/tools.txt does not map to a Debian package")
    for prog, row in sorted(tools.items()):
        findings += check_row(prog, row[0], row[1] if len(row) > 1 else None, listed)
    for prog in sorted(set(tools) - set(used)):
        findings.append(f"scripts/tools.txt maps '{prog}', which no script calls any more")

    for line in findings:
        print("FINDING:", line)
    print(f"audited {len(files)} files: {len(used)} programs, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
