"""The documentation stays true: every command, option, setting, route and make target it names
exists (and every command and setting exists in it), every link resolves, its pictures come from
docs/tools/screenshots.py, the API reference is the one generated from the OpenAPI document, and
nothing in the project points outside it."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

import click
import pytest

from consent_gateway.cli import main
from consent_gateway.settings import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
PAGES = [PROJECT_ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
ROUTE_PREFIXES = ("/api/v1/", "/banner/v1/", "/privacy/", "/dpo", "/dashboard", "/recruiting", "/demo/",
                  "/.well-known/", "/healthz", "/metrics")


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DOCS / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _all_docs() -> str:
    return "\n".join(_text(page) for page in PAGES)


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    heading = re.sub(r"[`*]", "", heading.strip().lower())  # intraword _ stays (consent_events)
    return re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")


def test_the_readme_keeps_the_two_commands_at_its_very_top():
    lines = _text(PROJECT_ROOT / "README.md").splitlines()
    assert lines[0].startswith("# ") and lines[2] == "```sh"
    assert lines[3].startswith("make run ") and lines[4].startswith("make test ") and lines[5] == "```"


def test_nothing_in_the_project_refers_to_files_outside_it():
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    # Written so that this line does not match itself.
    outside = re.compile(r"\.\./shar[e]d|/wor[k]/|DESIG[N]\.md|DESIG[N] §")
    found = []
    for name in tracked:
        path = PROJECT_ROOT / name
        if path.suffix in {".png", ".jpg", ".ico", ".mmdb", ".gz", ".br"} or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{name}: {match.group(0)}" for match in outside.finditer(text)]
    assert found == []


def test_every_link_and_anchor_resolves():
    broken = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", _text(page)):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (page.parent / file_part).resolve() if file_part else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", _text(linked), flags=re.M)
                if anchor not in {_slug(h) for h in headings}:
                    broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def _command(words: list[str]) -> tuple[click.Command, list[str]] | None:
    """The command ``consent-gateway WORDS…`` names, and the words after its name."""
    command: click.Command = main
    rest = list(words)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        if sub is None:
            return (command, rest) if command is not main else None
        command, rest = sub, rest[1:]
    return command, rest


def test_every_command_and_option_the_docs_name_exists():
    problems = []
    for line in _all_docs().splitlines():
        for match in re.finditer(r"consent-gateway((?: [^\s|;&#`)\]]+)+)", line):
            words = match.group(1).split()
            found = _command(words)
            if found is None:
                problems.append(f"no command: consent-gateway {' '.join(words)}")
                continue
            command, rest = found
            if isinstance(command, click.Group) and rest and command is not main \
                    and not rest[0].startswith("-") and rest[0] not in command.commands:
                problems.append(f"no command {rest[0]!r} in {command.name}: {line.strip()}")
            names = {o for p in command.params for o in getattr(p, "opts", [])} | {"--help"}
            for word in rest:
                option = word.split("=")[0].strip("[]\"'")
                if option.startswith("--") and option not in names:
                    problems.append(f"{command.name} has no option {option}: {line.strip()}")
    assert problems == []


def _commands(group: click.Group, prefix: str = "") -> set[str]:
    out = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out |= _commands(command, f"{prefix}{name} ")
            if command.invoke_without_command:
                out.add(f"{prefix}{name}")
        else:
            out.add(f"{prefix}{name}")
    return out


def test_every_command_is_in_the_operations_guide():
    guide = _text(DOCS / "operations.md")
    missing = sorted(c for c in _commands(main) if f"`{c}" not in guide)
    assert missing == []


def _settings_read() -> set[str]:
    """Every CONSENT_GATEWAY_* variable the package or the tests read."""
    names = set()
    for path in [*(PROJECT_ROOT / "consent_gateway").rglob("*.py"), *(PROJECT_ROOT / "tests").rglob("*.py")]:
        if path.parent.name == "docs" and path.parent.parent.name == "tests":
            continue
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'PREFIX \+ "([A-Z_]+)"', text))
        names |= set(re.findall(r'\{PREFIX\}([A-Z_]+)', text))
        names |= set(re.findall(r'"CONSENT_GATEWAY_([A-Z_]+)"', text))
    return names


def test_every_setting_the_docs_name_is_read_and_every_setting_is_documented():
    read = _settings_read()
    named = set(re.findall(r"CONSENT_GATEWAY_([A-Z_]+[A-Z])", _all_docs()))
    assert named - read == set(), "settings the docs name that nothing reads"
    package = {n for n in read if not n.startswith(("TEST_", "FUZZ_"))}
    guide = _text(DOCS / "operations.md")
    assert {n for n in package if f"| `CONSENT_GATEWAY_{n}` |" not in guide} == set(), \
        "settings missing from the operations guide's table"


def _route_patterns(app) -> list[re.Pattern[str]]:
    patterns = []
    for rule in app.url_map.iter_rules():
        regex = re.sub(r"<(?:path:)[^>]+>", "\0P", rule.rule)
        regex = re.sub(r"<[^>]+>", "\0S", regex)
        regex = re.escape(regex).replace("\0P", ".+").replace("\0S", "[^/]+")
        patterns.append(re.compile(regex.rstrip("/") + "/?"))
    return patterns


def _sample(path: str) -> str:
    path = path.split("?")[0].rstrip(".,:;")
    path = re.sub(r"<[^>]+>|\{[^}]+\}", "x", path)
    return "/".join("x" if re.fullmatch(r"[A-Z_]+", part) else part for part in path.split("/"))


def test_every_route_the_docs_name_exists(app):
    patterns = _route_patterns(app)
    named = set(re.findall(r"(?<![\w.:/])(/(?:api|banner|privacy|dpo|dashboard|recruiting|demo|\.well-known"
                           r"|healthz|metrics)[^\s`'\"|,)\]]*)", _all_docs()))
    missing = sorted(p for p in named if p.startswith(ROUTE_PREFIXES) or p in ("/dpo", "/dashboard")
                     if not any(pattern.fullmatch(_sample(p)) for pattern in patterns))
    assert len(named) > 20
    assert missing == []


def test_every_make_target_the_docs_name_exists():
    makefile = _text(PROJECT_ROOT / "Makefile")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.M))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", _all_docs())) | set(
        re.findall(r"^make ([a-z][a-z-]*)", _all_docs(), flags=re.M))
    assert named and named - targets == set()


def test_the_api_reference_is_the_one_generated_from_the_openapi_document():
    reference = _tool("api_reference")
    page = _text(DOCS / "http-api.md")
    assert reference.updated_page(page) == page, "run .venv/bin/python docs/tools/api_reference.py"
    assert "### `POST /api/v1/sites/{site_id}/consents`" in page


def test_every_picture_is_taken_by_the_screenshot_script_and_shown():
    screenshots = _tool("screenshots")
    shown = set().union(*(screenshots.referenced(_text(page)) for page in PAGES))
    assert shown == set(screenshots.PICTURES)
    for name in shown:
        assert (DOCS / "images" / f"{name}.png").stat().st_size > 10_000, name


@pytest.mark.chromium
def test_the_screenshot_script_pictures_the_running_product(tmp_path):
    screenshots = _tool("screenshots")
    # Its own thread, as the script runs alone: this process may hold pytest-playwright's sync
    # session, and Playwright's sync API refuses to start inside another one's loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(screenshots.take, tmp_path).result()
    assert [p.name for p in written] == [f"{n}.png" for n in screenshots.PICTURES]
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 10_000 for p in written)
