"""Docs that cannot drift: every file path, module and function that README.md, docs/*.md, or a
comment or docstring of the code names must exist.

What counts as a reference (kept narrow, so that prose is never mistaken for one):
- a path: a word ending in one of our file extensions (`job.py`, `bridge.mjs`), or a word
  with a `/` that starts at one of our folders (`web/lib/`, `migration/batch.py`). It is looked
  up from the project root, from the package, from web/ and tests/, and beside the file that
  names it; a bare file name anywhere in the project. Storage keys (`sessions/{id}/metadata`),
  URLs, and what build.py generates (GENERATED) are not files of the checkout;
- a Python name written `module.name` (`codec.json_view`, `commands.migrate_all_sessions`,
  `taskerino_storage.storage.port`): when `module` is one of the package's modules, `name` must
  be defined in it; when `name` is one of the package's top-level functions or classes, `module`
  must be where it lives (or a class that has it);
- a snake_case word (`open_sessions_array`, `session_records`): some code must use that name.
In Markdown only `code spans` and link targets count; in code comments every word does.
"""
from __future__ import annotations

import ast
import functools
import io
import os
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pysrc" / "taskerino_storage"

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PYTHON = [ROOT / "build.py", *sorted(PACKAGE.rglob("*.py")),
          *sorted(p for p in (ROOT / "tests").rglob("*.py") if p != Path(__file__).resolve())]  # not this file's examples
JS = sorted(p for folder in ("lib", "page", "npm") for p in (ROOT / "web" / folder).iterdir()
            if p.suffix in (".mjs", ".js", ".ts"))
TOML = [ROOT / "pyproject.toml"]

EXTENSIONS = ("py", "mjs", "js", "ts", "md", "toml", "json", "css", "html")
#: Folders a path may start at: the project's, the package's layers, web/'s.
FOLDERS = {"pysrc", "web", "tests", "docs", "build", "dist", ".ci", "taskerino_storage",
           *(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"),
           *(p.name for p in (ROOT / "web").iterdir() if p.is_dir()),
           *(p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name != "__pycache__")}
#: Made by build.py (`setup`, `pack`, the tests), never committed: named, not looked up.
GENERATED = ("web/build/pyodide", "build/pyodide", "dist/", "build/engines", "test-results",
             ".venv", "node_modules")
#: Other projects' files the comments cite as models (alembic's command.py), and Taskerino's own
#: source the desktop store follows (docs/desktop.md).
FOREIGN = {"command.py", "TauriFileSystemAdapter.ts", "StorageAdapter.ts", "compressionUtils.ts",
           "ChunkedSessionStorage.ts"}
#: Taskerino's classes the desktop store's comments cite (`TauriFileSystemAdapter.load`).
FOREIGN_SCOPES = {"TauriFileSystemAdapter"}
#: Files of Taskerino's desktop data folder, by the app's names (docs/desktop.md): not ours.
APP_FILES = {"sessions.json", "wal.log", "wal.checkpoint", "K.json", "K.tmp.json", "K.backup.json"}
#: Pyodide's runtime files, in web/build/pyodide once set up.
PYODIDE_FILES = {"pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                 "python_stdlib.zip", "pyodide-lock.json", "taskerino-lock.json"}
BASES = (ROOT, PACKAGE, ROOT / "web", ROOT / "tests")

PATH = re.compile(r"(?<![\w./-])\.?[\w@][\w.@-]*(?:/[\w.@-]*)*")
DOTTED = re.compile(r"(?<![\w./-])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?![\w/(-])")
SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/(-]|\.[a-z])")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s#]+)")


@dataclass(frozen=True)
class Mention:
    where: str  # file:line
    text: str  # the text the references are read from
    code_only: bool  # Markdown: only code spans and links count


# -- where the mentions are


def markdown_mentions(path: Path) -> Iterator[Mention]:
    for n, line in enumerate(path.read_text().splitlines(), 1):
        yield Mention(f"{path.relative_to(ROOT)}:{n}", line, True)


def python_mentions(path: Path) -> Iterator[Mention]:
    source = path.read_text()
    name = path.relative_to(ROOT)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield Mention(f"{name}:{token.start[0]}", token.string, False)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                for n, line in enumerate(body[0].value.value.splitlines()):
                    yield Mention(f"{name}:{body[0].lineno + n}", line, False)


def js_comments(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of each comment; strings and template literals skipped. A regular
    expression literal is not recognised: ours hold no quote or comment opener."""
    i, n, line = 0, len(source), 1
    while i < n:
        c = source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            yield line, source[i + 2:end]
            i = end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = n if end < 0 else end
            for k, text in enumerate(source[i + 2:end].splitlines()):
                yield line + k, text
            line += source.count("\n", i, end)
            i = end + 2
        elif c in "'\"`":
            j = i + 1
            while j < n and source[j] != c:
                j += 2 if source[j] == "\\" else 1
            line += source.count("\n", i, j)
            i = j + 1
        else:
            line += c == "\n"
            i += 1


def js_mentions(path: Path) -> Iterator[Mention]:
    for n, text in js_comments(path.read_text()):
        yield Mention(f"{path.relative_to(ROOT)}:{n}", text, False)


def toml_mentions(path: Path) -> Iterator[Mention]:
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if "#" in line and line.count('"', 0, line.index("#")) % 2 == 0:
            yield Mention(f"{path.relative_to(ROOT)}:{n}", line[line.index("#") + 1:], False)


def all_mentions() -> list[Mention]:
    return [*(m for p in DOCS for m in markdown_mentions(p)), *(m for p in PYTHON for m in python_mentions(p)),
            *(m for p in JS for m in js_mentions(p)), *(m for p in TOML for m in toml_mentions(p))]


# -- what exists


@dataclass
class Project:
    names: set[str]  # every file's and folder's name in the checkout
    modules: dict[str, set[str]]  # module or package name -> names defined in it (or its submodules)
    classes: dict[str, set[str]]  # class name -> its members
    defined: dict[str, set[str]]  # top-level function or class -> the modules defining it
    used: set[str]  # every word the code (not its comments) uses, in strings too
    imported: set[str]  # every name an import binds (json, asyncio, codec)


@functools.cache
def project() -> Project:
    skip = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis", "test-results"}
    names = set()
    for folder, subfolders, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        subfolders[:] = [d for d in subfolders if d not in skip and str(here / d) not in ("web/build", "build")]
        names.update([*subfolders, *files])
    modules: dict[str, set[str]] = {}
    classes: dict[str, set[str]] = {}
    defined: dict[str, set[str]] = {}
    used: set[str] = set()
    imported: set[str] = set()
    for path in PYTHON:
        tree = ast.parse(path.read_text())
        in_package = PACKAGE in path.parents
        stem = path.parent.name if path.name == "__init__.py" else path.stem
        top: set[str] = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                top.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                top.update(t.id for t in targets if isinstance(t, ast.Name))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                top.update((a.asname or a.name).split(".")[0] for a in node.names)
        prose = {id(node.value) for node in ast.walk(tree)  # docstrings: what is checked, not code
                 if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                members = classes.setdefault(node.name, set())
                for item in ast.walk(node):
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        members.add(item.name)
                    elif isinstance(item, ast.Attribute):
                        members.add(item.attr)
                    elif isinstance(item, ast.Name):
                        members.add(item.id)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                used.add(node.name)
            elif isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.arg):
                used.add(node.arg)
            elif isinstance(node, ast.keyword) and node.arg:
                used.add(node.arg)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                used.update(part for a in node.names for part in a.name.split("."))
                imported.update((a.asname or a.name).split(".")[0] for a in node.names)
                used.update((node.module or "").split(".") if isinstance(node, ast.ImportFrom) else ())
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
                used.update(re.findall(r"\w+", node.value))
        if in_package:
            for package in (stem, *(p.name for p in path.parents if PACKAGE in (p, *p.parents))):
                modules.setdefault(package, set()).update(top)
            for name in top:
                if not name.startswith("_") and any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                     ast.ClassDef)) and n.name == name
                                                    for n in tree.body):
                    defined.setdefault(name, set()).add(stem)
            for folder in path.relative_to(PACKAGE).parts[:-1]:
                modules.setdefault(folder, set()).add(stem)
            modules.setdefault("taskerino_storage", set()).update(path.relative_to(PACKAGE).parts[:1])
    used.update(path.stem for path in PYTHON)  # test_batch, the module
    used.add("snake_case")  # the word
    for path in JS:
        code = path.read_text()
        for _, comment in js_comments(code):
            code = code.replace(comment, " ", 1)
        used.update(re.findall(r"\w+", code))
    return Project(names, modules, classes, defined, used, imported)


# -- the check


def strip_path(word: str) -> str:
    word = re.sub(r":\d+$", "", word.rstrip(".,:;)"))
    return word


def is_path(word: str) -> bool:
    if "/" in word:
        return word.split("/")[0] in FOLDERS
    return bool(re.fullmatch(rf"[\w@-][\w@.-]*\.(?:{'|'.join(EXTENSIONS)})", word))


def path_exists(word: str, mention: Mention, known: Project) -> bool:
    word = word.rstrip("/")
    if word.startswith(GENERATED) or word in ("web/build", "build", "dist"):
        return True
    if "/" not in word:
        return word in known.names or word in PYODIDE_FILES or word in FOREIGN or word in APP_FILES
    here = (ROOT / mention.where.split(":")[0]).parent
    if any((base / word).exists() for base in (*BASES, here)):
        return True
    module, _, name = word.rpartition(".")  # migration/commands.migrate_all_sessions
    return bool(module) and any((base / f"{module}.py").exists() for base in (*BASES, here)) \
        and name in known.modules.get(Path(module).name, set())


#: The JS console's methods, which `console.x` names in comments beside our own console module.
JS_CONSOLE = {"log", "debug", "table", "warn", "error", "info"}


def dotted_problem(word: str, known: Project) -> str | None:
    parts = word.split(".")
    if word in APP_FILES or parts[0] in FOREIGN_SCOPES:
        return None
    if parts[0] == "taskerino_storage":
        for scope, name in zip(parts, parts[1:]):
            if name not in known.modules.get(scope, set()) and name not in known.classes.get(scope, set()):
                return f"{name} is not in {scope}"
        return None
    if parts[0] == "console" and parts[-1] in JS_CONSOLE:
        return None  # console.log: the JS console, not browser/console.py
    if len(parts) > 2 and parts[0] not in known.modules and parts[0] not in known.classes:
        return None  # navigator.storage.estimate: not ours
    scope, name = parts[-2], parts[-1]
    if scope in known.modules:
        if name in known.modules[scope] or name in known.classes.get(scope, set()):
            return None
        return f"{scope} has no {name}"
    if scope in known.classes:  # a camelCase member is the wire name (or a JS class's): not checked
        return None if name in known.classes[scope] or not name.islower() else f"{scope} has no {name}"
    if scope in known.imported:  # json.dumps
        return None
    if name in known.defined:
        return f"{name} is in {', '.join(sorted(known.defined[name]))}, not {scope}"
    if SNAKE.fullmatch(name) and name not in known.used:
        return f"{name} is named by no code"
    return None


def problems_in(mention: Mention, known: Project) -> list[str]:
    texts = [*CODE_SPAN.findall(mention.text), *LINK.findall(mention.text)] if mention.code_only \
        else [mention.text]
    found = []
    for text in texts:
        if "://" in text:
            text = re.sub(r"\w+://\S+", " ", text)
        for match in PATH.finditer(text):
            word, after = strip_path(match.group()), text[match.end():match.end() + 2]
            if after[:1] in ("*", "{", "<", "[") or after == ".{":
                continue  # a pattern (build/lib*, migration.{json,md}), not a file
            if is_path(word) and not path_exists(word, mention, known):
                found.append(f"{mention.where}: {word} does not exist")
        for word in DOTTED.findall(text) if mention.where.split(":")[0].endswith((".py", ".md", ".toml")) else ():
            if not is_path(word):
                problem = dotted_problem(word, known)
                if problem:
                    found.append(f"{mention.where}: {word}: {problem}")
        for word in SNAKE.findall(text):
            if word not in known.used:
                found.append(f"{mention.where}: {word} is named by no code")
    return found


def test_every_path_module_and_function_the_docs_name_exists():
    known = project()
    problems = [p for mention in all_mentions() for p in problems_in(mention, known)]
    assert problems == []


@pytest.mark.parametrize("text, problem", [
    ("Details: `pysrc/taskerino_storage/session_records.py`.", "does not exist"),
    ("# How legacy.find_legacy_copies lists them", "is in inventory, not legacy"),
    ("# How legacy.open_sessions_array ends its problem", "named by no code"),
    ("# is in session_records. Here: the reads", "named by no code"),
    ("// Gzip runs through web/codec-pool.mjs (on workers)", "does not exist"),
    ("# installed by build.py into web/build/engines (ignored)", "does not exist"),
    ("# see codec.no_such_function", "codec has no no_such_function"),
])
def test_the_check_catches_a_stale_name(text, problem):
    known = project()
    mention = Mention("tests/test_docs.py:1", text, text.startswith("Details"))
    [found] = problems_in(mention, known)
    assert problem in found


@pytest.mark.parametrize("text", [
    "`sessions/{id}/metadata` and `sessions/{id}.backup-{ISO}`", "read/write, add/remove",
    "see https://pyodide.org/en/stable/x.html", "`web/lib/bridge.mjs`", "`migration/job.py`",
    "`codec.json_view`", "`commands.migrate_all_sessions`", "`taskerino_storage.storage.port`",
    "`build/engines/`", "`dist/taskerino-migration-<version>.tgz`",
])
def test_the_check_leaves_real_names_and_prose_alone(text):
    assert problems_in(Mention("README.md:1", text, True), project()) == []
