"""Word-level diff between two revision texts (pure Python, no Django, no HTML)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

DiffKind = Literal["equal", "insert", "delete"]

# Words keep inner apostrophes ("Lukashenko’s") so a changed possessive is one token, not three.
# Whitespace runs and single punctuation characters are tokens of their own; the three
# alternatives cover every character, so "".join(tokens) == text always holds.
_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]")
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of the diff: text kept ("equal"), added ("insert") or removed ("delete")."""

    kind: DiffKind
    text: str


def tokenize(text: str) -> list[str]:
    """Split text into word, whitespace and punctuation tokens that join back to text."""
    return _TOKEN_RE.findall(text)


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Diff two texts word by word; a replacement is reported as delete then insert."""
    a, b = tokenize(old), tokenize(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    raw: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            raw.append(DiffOp("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            raw.append(DiffOp("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            raw.append(DiffOp("insert", "".join(b[j1:j2])))
    return _merge(_absorb_lone_whitespace(raw))


def _absorb_lone_whitespace(ops: Sequence[DiffOp]) -> list[DiffOp]:
    """Fold a whitespace-only equal run lying between two changes into both sides."""
    # "the quick" -> "a slow" would otherwise read as del/ins, " ", del/ins; one
    # del "the quick" / ins "a slow" pair is what an editor expects to see.
    out: list[DiffOp] = []
    for i, op in enumerate(ops):
        between_changes = (
            op.kind == "equal"
            and op.text.isspace()
            and 0 < i < len(ops) - 1
            and ops[i - 1].kind != "equal"
            and ops[i + 1].kind != "equal"
        )
        if between_changes:
            out.append(DiffOp("delete", op.text))
            out.append(DiffOp("insert", op.text))
        else:
            out.append(op)
    return out


def _merge(ops: Iterable[DiffOp]) -> list[DiffOp]:
    """Collapse each run of changes into one delete and one insert, and join equal runs."""
    out: list[DiffOp] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(DiffOp("delete", "".join(deleted)))
        if inserted:
            out.append(DiffOp("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op in ops:
        if not op.text:
            continue
        if op.kind == "delete":
            deleted.append(op.text)
        elif op.kind == "insert":
            inserted.append(op.text)
        else:
            flush()
            if out and out[-1].kind == "equal":
                out[-1] = DiffOp("equal", out[-1].text + op.text)
            else:
                out.append(op)
    flush()
    return out


def diff_stats(ops: Iterable[DiffOp]) -> tuple[int, int]:
    """Return (words_inserted, words_deleted); whitespace and punctuation are not counted."""
    inserted = deleted = 0
    for op in ops:
        if op.kind == "insert":
            inserted += len(_WORD_RE.findall(op.text))
        elif op.kind == "delete":
            deleted += len(_WORD_RE.findall(op.text))
    return inserted, deleted
