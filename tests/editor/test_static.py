"""The editor's JavaScript: small, no build step, and nothing inline for a strict Content-Security-Policy."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDITOR_JS = sorted((ROOT / "static" / "editor").glob("*.js"))
MAX_BYTES = 40 * 1024


def test_the_editor_javascript_stays_under_40_kb_unminified():
    total = sum(path.stat().st_size for path in EDITOR_JS)
    assert EDITOR_JS and total <= MAX_BYTES, f"{total} bytes in {[p.name for p in EDITOR_JS]}"


def test_every_module_import_names_a_file_that_exists():
    for path in EDITOR_JS:
        for name in re.findall(r'from "\./([\w.-]+)"', path.read_text()):
            assert (path.parent / name).exists(), f"{path.name} imports missing {name}"


def test_editor_templates_have_no_inline_script_or_style():
    for path in (ROOT / "templates" / "editor").glob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"inline script in {path.name}"
        assert not re.search(r"\s(style|on\w+)=", html), f"inline style or handler in {path.name}"
