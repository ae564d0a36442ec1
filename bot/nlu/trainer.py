"""Trainer tooling for the NLU data: add, lint, import, and the low-confidence inbox.

The training data is Rasa YAML under ``data/nlu`` (``- intent: X`` / ``examples: |`` blocks with
one ``- text`` line per example, entity markup ``[15号](date)``). Files are located with
ruamel.yaml (line numbers) and edited *textually*: only the example lines of the intent being
changed are rewritten (sorted, deduplicated); every other byte of the file stays as it was.
Writes are atomic (temporary file + rename), and an import writes nothing unless every row of
the file is valid.

Texts are compared by :func:`text_key`: entity markup removed, ``bot.nlu.normalise.normalise``
(Traditional -> Simplified, full -> half width), NFKC, lower case, punctuation and spaces removed.
"Near" an evaluation sentence means char 3-gram Jaccard similarity >= 0.8 of the keys.

Nothing here imports Rasa's heavy parts (only its entity-markup parser), so the commands are quick.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

from bot.config import PROJECT_ROOT
from bot.errors import BotError
from bot.nlu import contract

# --------------------------------------------------------------------------------------------
# Errors


class UnknownIntent(BotError):
    """An intent that is not in the contract (intents.md)."""


class InvalidExample(BotError):
    """An example that cannot go into the training data (empty, multi-line, bad markup, …)."""


class ExampleConflict(BotError):
    """The same (normalised) text is already an example of another intent."""


class EvalLeak(BotError):
    """The text is (nearly) a sentence of an evaluation set."""


class DataFileError(BotError):
    """A training-data file that cannot be read or edited safely."""


# --------------------------------------------------------------------------------------------
# Text keys and similarity

try:  # the project's normaliser (OpenCC t2s, width folding); our own fallback otherwise
    from bot.nlu.normalise import normalise as _project_normalise
except Exception:  # pragma: no cover - depends on the other module being present
    _project_normalise = None


def _base_normalise(text: str) -> str:
    if _project_normalise is not None:
        try:
            return _project_normalise(text)
        except Exception:  # pragma: no cover - never let a normaliser bug block the trainer
            pass
    return text


def text_key(text: str) -> str:
    """Comparison key: normalised, NFKC, lower case, without punctuation, spaces or controls."""
    text = unicodedata.normalize("NFKC", _base_normalise(text or "")).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZC")


def char_ngrams(key: str, n: int = 3) -> frozenset:
    """Char n-grams of a key; a key shorter than n is its own single gram."""
    if len(key) < n:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i : i + n] for i in range(len(key) - n + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


_DIGIT_RUN = re.compile(r"\d{6,}|\d{3,}(?:[ \-]\d{3,})+")


def mask_digits(text: str) -> str:
    """Mask runs of >= 6 digits (ASCII or full width), and 3+ digit groups joined by space/hyphen
    (card and phone numbers written as ``6222 0212 3456``) when they total >= 6 digits."""

    def repl(match: re.Match) -> str:
        chunk = match.group(0)
        digits = sum(ch.isdigit() for ch in chunk)
        if digits < 6:
            return chunk
        return "".join("*" if ch.isdigit() else ch for ch in chunk)

    return _DIGIT_RUN.sub(repl, text)


# --------------------------------------------------------------------------------------------
# TSV files (evaluation sets, import files)


@dataclass
class TsvRow:
    line: int  # 1-based line number in the file
    fields: dict


@dataclass
class TsvFile:
    path: Path
    columns: list
    rows: list = field(default_factory=list)
    bad: list = field(default_factory=list)  # (line, reason)
    had_header: bool = True


def read_tsv(path: Path, *, required: Sequence[str] = ("text",),
             positional: Sequence[str] = ("text", "intent", "source")) -> TsvFile:
    """Read a tab-separated file robustly.

    The first non-empty line is a header when it names the ``required`` columns; otherwise the
    columns are ``positional``. Empty lines are skipped; rows with too many fields or an empty
    text are reported in ``bad`` (line, reason) instead of raising; missing trailing fields
    are empty strings. No quoting: a tab
    always separates fields (borrower texts contain quotes).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BotError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BotError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    result = TsvFile(path=path, columns=list(positional))
    header_seen = False
    for number, line in enumerate(content.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("\t")]
        if not header_seen:
            header_seen = True
            lowered = [p.lower() for p in parts]
            if all(col in lowered for col in required):
                result.columns = lowered
                continue
            result.had_header = False
        if len(parts) > len(result.columns):
            # trailing empty fields are harmless (editors add them); anything else is a bad row
            if any(parts[len(result.columns):]):
                result.bad.append((number, f"{len(parts)} fields, expected {len(result.columns)}"))
                continue
            parts = parts[: len(result.columns)]
        # missing trailing fields are empty (callers decide whether e.g. an empty intent is bad)
        row = dict(zip(result.columns, parts + [""] * (len(result.columns) - len(parts))))
        if not row.get("text"):
            result.bad.append((number, "empty text"))
            continue
        result.rows.append(TsvRow(line=number, fields=row))
    return result


# --------------------------------------------------------------------------------------------
# Evaluation-set leakage index


@dataclass(frozen=True)
class Leak:
    kind: str  # "exact" or "near"
    score: float
    eval_text: str
    eval_file: Path
    eval_line: int

    def describe(self) -> str:
        where = f"{self.eval_file.name}:{self.eval_line}"
        if self.kind == "exact":
            return f"is a copy of evaluation sentence {where}"
        return f"is a near-duplicate (3-gram Jaccard {self.score:.2f}) of evaluation sentence {where}"


class EvalIndex:
    """Every evaluation sentence, indexed by char 3-gram for fast near-duplicate look-ups."""

    def __init__(self, entries: Iterable[tuple[str, Path, int]] = (),
                 threshold: float = contract.NEAR_DUPLICATE_JACCARD):
        self.threshold = threshold
        self._entries: list[tuple[str, Path, int]] = []
        self._grams: list[frozenset] = []
        self._exact: dict[str, int] = {}
        self._postings: dict[str, list[int]] = defaultdict(list)
        for text, path, line in entries:
            key = text_key(text)
            if not key:
                continue
            idx = len(self._entries)
            self._entries.append((text, path, line))
            grams = char_ngrams(key)
            self._grams.append(grams)
            self._exact.setdefault(key, idx)
            for gram in grams:
                self._postings[gram].append(idx)

    @classmethod
    def from_files(cls, files: Iterable[Path]) -> "EvalIndex":
        entries = []
        for path in files:
            tsv = read_tsv(path)
            entries.extend((row.fields["text"], path, row.line) for row in tsv.rows)
        return cls(entries)

    @classmethod
    def default(cls, eval_dir: Optional[Path] = None) -> "EvalIndex":
        files = contract.eval_files(Path(eval_dir) if eval_dir else contract.EVAL_DIR)
        if not files:
            print(f"warning: no evaluation sets found in {eval_dir or contract.EVAL_DIR}; "
                  "eval leakage is not checked", file=sys.stderr)
        return cls.from_files(files)

    def __len__(self) -> int:
        return len(self._entries)

    def match(self, text: str, key: Optional[str] = None) -> Optional[Leak]:
        """The closest evaluation sentence when it is an exact or near copy, else None."""
        key = text_key(text) if key is None else key
        if not key or not self._entries:
            return None
        if key in self._exact:
            text_, path, line = self._entries[self._exact[key]]
            return Leak("exact", 1.0, text_, path, line)
        grams = char_ngrams(key)
        counts: Counter = Counter()
        for gram in grams:
            for idx in self._postings.get(gram, ()):
                counts[idx] += 1
        best, best_idx = 0.0, -1
        for idx, inter in counts.items():
            score = inter / (len(grams) + len(self._grams[idx]) - inter)
            if score > best:
                best, best_idx = score, idx
        if best_idx >= 0 and best >= self.threshold:
            text_, path, line = self._entries[best_idx]
            return Leak("near", best, text_, path, line)
        return None


# --------------------------------------------------------------------------------------------
# Training examples and the Rasa YAML files


def parse_example(raw: str) -> tuple[str, list]:
    """(plain text, entities) of a Rasa example line; raises InvalidExample on bad markup."""
    from rasa.shared.nlu.training_data import entities_parser

    try:
        entities = entities_parser.find_entities_in_training_example(raw)
        plain = entities_parser.replace_entities(raw)
    except Exception as exc:  # SchemaValidationError, JSON errors in {"entity": …} markup
        raise InvalidExample(f"bad entity markup in {raw!r}: {exc}") from None
    return plain, entities


@dataclass
class Example:
    path: Path
    line: int  # 1-based
    raw: str
    plain: str
    key: str
    intent: str
    entities: list

    @property
    def where(self) -> str:
        return f"{_rel(self.path)}:{self.line}"


@dataclass
class Block:
    """The ``examples: |`` block of one ``- intent:`` item: file lines [start, end)."""

    path: Path
    intent: str
    key_line: int  # 0-based line of ``examples:``
    start: int
    end: int
    indent: str
    examples: list
    other_lines: list  # non-example lines inside the block (Rasa ignores them)
    editable: bool = True  # False when the examples are not a literal ``|`` block


@dataclass
class Problem:
    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"


@dataclass
class NluData:
    root: Path
    files: dict = field(default_factory=dict)  # path -> (lines, newline)
    blocks: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # read problems: yaml errors, bad markup, …

    @property
    def examples(self) -> list:
        return [ex for block in self.blocks for ex in block.examples]

    def blocks_of(self, intent: str) -> list:
        return [b for b in self.blocks if b.intent == intent]

    def counts(self) -> Counter:
        return Counter(ex.intent for ex in self.examples)


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


# characters str.splitlines() (and partly YAML) treat as line breaks besides \n and \r\n
_ODD_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_LONE_CR = re.compile(r"\r(?!\n)")
_LITERAL = re.compile(r"^\s*(?:-\s+)?examples\s*:\s*\|[-+0-9]*\s*(?:#.*)?$")


def _nlu_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())


def load_nlu(root: Path = contract.NLU_DIR) -> NluData:
    """Scan every YAML file under ``root`` for intent example blocks (with line numbers)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    root = Path(root)
    data = NluData(root=root)
    if not root.exists():
        raise DataFileError(f"training data directory {root} does not exist")
    for path in _nlu_files(root):
        try:
            text = path.read_bytes().decode("utf-8")  # not read_text: keep \r\n as it is
        except (OSError, UnicodeDecodeError) as exc:
            data.problems.append(Problem("unreadable", _rel(path), str(exc)))
            continue
        odd = {f"U+{ord(ch):04X}" for ch in text if ch in _ODD_BREAKS}
        if _LONE_CR.search(text):
            odd.add("U+000D")
        if odd:  # YAML (ruamel) may count these as line breaks: line numbers would not match
            data.problems.append(Problem("odd-line-break", _rel(path),
                                         f"contains line/paragraph separator characters {', '.join(sorted(odd))}; "
                                         "remove them (the file cannot be edited safely)"))
            continue
        lines = text.splitlines(keepends=True)
        newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
        data.files[path] = (lines, newline)
        try:
            doc = YAML(typ="rt").load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{_rel(path)}:{mark.line + 1}" if mark else _rel(path)
            data.problems.append(Problem("yaml-error", where, str(getattr(exc, "problem", exc))))
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("nlu"), list):
            continue
        for item in doc["nlu"]:
            if not isinstance(item, dict) or "intent" not in item:
                continue
            intent = str(item["intent"]).strip()
            if "examples" not in item:
                data.problems.append(Problem("no-examples", f"{_rel(path)}:{item.lc.line + 1}",
                                             f"intent {intent} has no examples block"))
                continue
            key_line, key_col = item.lc.key("examples")
            if not _LITERAL.match(lines[key_line].rstrip("\r\n")):
                data.problems.append(Problem(
                    "not-a-block", f"{_rel(path)}:{key_line + 1}",
                    f"examples of {intent} are not a literal `examples: |` block (cannot be edited)"))
                data.blocks.append(Block(path, intent, key_line, key_line + 1, key_line + 1,
                                         " " * (key_col + 2), [], [], editable=False))
                continue
            data.blocks.append(_scan_block(data, path, lines, intent, key_line, key_col))
    return data


def _scan_block(data: NluData, path: Path, lines: list, intent: str, key_line: int, key_col: int) -> Block:
    start = key_line + 1
    end = start
    indent: Optional[str] = None
    examples: list = []
    other: list = []
    i = start
    while i < len(lines):
        line = lines[i].rstrip("\r\n")
        if not line.strip():
            i += 1
            continue
        width = len(line) - len(line.lstrip(" "))
        if width <= key_col:
            break
        if indent is None:
            indent = line[:width]
        content = line[len(indent):] if line.startswith(indent) else line.lstrip(" ")
        where = f"{_rel(path)}:{i + 1}"
        if content.startswith("-"):
            raw = content[1:].strip(" \r\n")
            try:
                plain, entities = parse_example(raw)
            except InvalidExample as exc:
                data.problems.append(Problem("bad-markup", where, str(exc)))
                plain, entities = raw, []
            examples.append(Example(path, i + 1, raw, plain.strip(), text_key(plain), intent, entities))
        else:
            other.append(line)
            data.problems.append(Problem("ignored-line", where,
                                         f"line in {intent}'s examples does not start with '-' (Rasa skips it)"))
        i += 1
        end = i
    return Block(path, intent, key_line, start, end, indent or " " * (key_col + 2), examples, other)


def _block_sort_key(ex: Example) -> tuple:
    return (ex.plain, ex.raw)


def render_block(block: Block, newline: str) -> list:
    """The block's lines: other lines first, then the examples sorted, exact duplicates removed.

    Duplicates are examples with the same plain text (markup aside); variants that only match
    once normalised (Traditional characters, punctuation) are kept on purpose: they are
    training signal for the messages borrowers really type.
    """
    chosen: dict[str, Example] = {}
    for ex in block.examples:
        key = ex.plain
        current = chosen.get(key)
        # keep the annotated version when the same text appears with and without markup
        if current is None or len(ex.entities) > len(current.entities):
            chosen[key] = ex
    out = [line + newline for line in block.other_lines]
    out.extend(f"{block.indent}- {ex.raw}{newline}" for ex in sorted(chosen.values(), key=_block_sort_key))
    return out


def atomic_write(path: Path, content: str) -> None:
    """Write via a temporary file in the same directory, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------------------------
# Adding examples (one, or many from a TSV)


@dataclass
class Outcome:
    intent: str
    text: str
    status: str  # "added", "present", "skipped"
    reason: str = ""
    path: Optional[Path] = None
    line: Optional[int] = None  # source line (import)


def check_intent(intent: str) -> str:
    intent = (intent or "").strip()
    if intent not in contract.INTENTS:
        raise UnknownIntent(f"unknown intent {intent!r}: not one of the {len(contract.INTENTS)} intents "
                            "of the contract (bot/nlu/contract.py, spec intents.md)")
    return intent


def check_text(text: str) -> tuple[str, str, list]:
    """Validate one example line; returns (raw, plain, entities)."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidExample("empty example")
    if any(ch in raw for ch in "\r\n\t") or any(ch in _ODD_BREAKS for ch in raw):
        raise InvalidExample("an example must be one line without tabs")
    plain, entities = parse_example(raw)
    unknown = sorted({e["entity"] for e in entities} - set(contract.ENTITIES))
    if unknown:
        raise InvalidExample(f"unknown entity type(s) {', '.join(unknown)} in {raw!r}; "
                             f"known: {', '.join(contract.ENTITIES)}")
    if re.search(r"\]\(|\]\{", plain):
        raise InvalidExample(f"unbalanced entity markup in {raw!r}")
    if not text_key(plain):
        raise InvalidExample(f"{raw!r} has no words (only punctuation or spaces)")
    return raw, plain.strip(), entities


class _Plan:
    """Pending additions against a loaded NluData; nothing is written until ``write()``."""

    def __init__(self, data: NluData, index: EvalIndex):
        self.data = data
        self.index = index
        self.by_key: dict[str, list[Example]] = defaultdict(list)
        for ex in data.examples:
            if ex.key:
                self.by_key[ex.key].append(ex)
        self.touched: dict[int, Block] = {}
        self.new_files: dict[Path, Block] = {}

    def target_block(self, intent: str) -> Block:
        blocks = [b for b in self.data.blocks_of(intent) if b.editable]
        if blocks:
            return max(blocks, key=lambda b: (len(b.examples), -self.data.blocks.index(b)))
        if self.data.blocks_of(intent):
            raise DataFileError(f"intent {intent}'s examples are not an editable `examples: |` block")
        path = (self.data.root if self.data.root.is_dir() else self.data.root.parent) / f"{intent}.yml"
        if path in self.data.files:
            raise DataFileError(f"{_rel(path)} exists but has no block for {intent}; add one by hand")
        if path not in self.new_files:
            self.new_files[path] = Block(path, intent, -1, 0, 0, "    ", [], [])
        return self.new_files[path]

    def add(self, intent: str, text: str, *, check_leak: bool = True) -> Outcome:
        """Check and stage one example (raises a BotError subclass when refused)."""
        intent = check_intent(intent)
        raw, plain, entities = check_text(text)
        key = text_key(plain)
        same, other = [], []
        for ex in self.by_key.get(key, []):
            if ex.intent != intent:
                other.append(ex)
            elif ex.plain == plain:
                same.append(ex)
        if other:
            ex = other[0]
            raise ExampleConflict(f"{plain!r} is already an example of {ex.intent} ({ex.where})")
        if check_leak:
            leak = self.index.match(plain, key)
            if leak is not None:
                raise EvalLeak(f"{plain!r} {leak.describe()}: {leak.eval_text!r}; evaluation sentences "
                               "must not be copied into the training data")
        if same:
            return Outcome(intent, raw, "present", f"already an example of {intent} ({same[0].where})",
                           same[0].path)
        block = self.target_block(intent)
        ex = Example(block.path, 0, raw, plain, key, intent, entities)
        block.examples.append(ex)
        self.by_key[key].append(ex)
        self.touched[id(block)] = block
        return Outcome(intent, raw, "added", "", block.path)

    def render(self) -> dict[Path, str]:
        out: dict[Path, str] = {}
        by_file: dict[Path, list[Block]] = defaultdict(list)
        for block in self.touched.values():
            by_file[block.path].append(block)
        for path, blocks in by_file.items():
            if path in self.new_files:
                block = blocks[0]
                out[path] = ('version: "3.1"\nnlu:\n' f"- intent: {block.intent}\n  examples: |\n"
                             + "".join(render_block(block, "\n")))
                continue
            lines, newline = self.data.files[path]
            lines = list(lines)
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += newline
            for block in sorted(blocks, key=lambda b: b.start, reverse=True):
                lines[block.start : block.end] = render_block(block, newline)
            out[path] = "".join(lines)
        return out

    def write(self) -> list[Path]:
        rendered = self.render()
        for path, content in rendered.items():  # all contents are ready before the first write
            atomic_write(path, content)
        return sorted(rendered)


def _load_for_edit(nlu_dir: Path) -> NluData:
    data = load_nlu(nlu_dir)
    fatal = [p for p in data.problems if p.kind in {"yaml-error", "unreadable", "odd-line-break"}]
    if fatal:
        raise DataFileError("cannot edit the training data while a file does not parse: "
                            + "; ".join(str(p) for p in fatal))
    return data


def add_example(intent: str, text: str, *, nlu_dir: Path = contract.NLU_DIR,
                eval_dir: Optional[Path] = None, index: Optional[EvalIndex] = None) -> Outcome:
    """``bot nlu add``: add one example to the file holding its intent (or refuse)."""
    check_intent(intent)
    check_text(text)
    data = _load_for_edit(Path(nlu_dir))
    plan = _Plan(data, index if index is not None else EvalIndex.default(eval_dir))
    outcome = plan.add(intent, text)
    if outcome.status == "added":
        plan.write()
    return outcome


@dataclass
class ImportReport:
    added: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    unlabelled: int = 0
    files: list = field(default_factory=list)


def import_tsv(path: Path, *, nlu_dir: Path = contract.NLU_DIR, eval_dir: Optional[Path] = None,
               index: Optional[EvalIndex] = None, dry_run: bool = False) -> ImportReport:
    """``bot nlu import``: add every labelled row (columns ``text`` and ``intent``).

    The whole file is validated first (structure, intents, markup): any bad row and nothing is
    written. Rows refused by the data checks (conflict with another intent, evaluation leak,
    same text with two labels in the file) are skipped with a reason; the others are added.
    Rows with an empty ``intent`` (an inbox file not fully labelled) are counted and ignored.
    """
    tsv = read_tsv(Path(path), required=("text", "intent"), positional=("text", "intent"))
    errors = [f"line {line}: {reason}" for line, reason in tsv.bad]
    labelled: list[TsvRow] = []
    report = ImportReport()
    for row in tsv.rows:
        intent = row.fields.get("intent", "").strip()
        if not intent:
            report.unlabelled += 1
            continue
        try:
            check_intent(intent)
            check_text(row.fields["text"])
        except BotError as exc:
            errors.append(f"line {row.line}: {exc}")
            continue
        labelled.append(row)
    if errors:
        shown = errors[:20] + ([f"... and {len(errors) - 20} more"] if len(errors) > 20 else [])
        raise BotError(f"{path}: {len(errors)} bad row(s), nothing imported:\n  " + "\n  ".join(shown))

    # the same text labelled with two intents inside the file: skip all of them
    labels_by_key: dict[str, set] = defaultdict(set)
    for row in labelled:
        labels_by_key[text_key(parse_example(row.fields["text"].strip())[0])].add(row.fields["intent"].strip())

    data = _load_for_edit(Path(nlu_dir))
    plan = _Plan(data, index if index is not None else EvalIndex.default(eval_dir))
    for row in labelled:
        text, intent = row.fields["text"].strip(), row.fields["intent"].strip()
        key = text_key(parse_example(text)[0])
        if len(labels_by_key[key]) > 1:
            report.skipped.append(Outcome(intent, text, "skipped",
                                          f"labelled {' and '.join(sorted(labels_by_key[key]))} in this file",
                                          line=row.line))
            continue
        try:
            outcome = plan.add(intent, text)
        except (ExampleConflict, EvalLeak, DataFileError) as exc:
            report.skipped.append(Outcome(intent, text, "skipped", str(exc), line=row.line))
            continue
        outcome.line = row.line
        if outcome.status == "added":
            report.added.append(outcome)
        else:
            outcome.status = "skipped"
            report.skipped.append(outcome)
    if not dry_run:
        report.files = plan.write()
    return report


# --------------------------------------------------------------------------------------------
# Lint


def lint(nlu_dir: Path = contract.NLU_DIR, *, eval_dir: Optional[Path] = None,
         index: Optional[EvalIndex] = None, min_examples: int = contract.MIN_EXAMPLES) -> tuple[list, dict]:
    """All problems of the training data, and a summary (examples, intents, files)."""
    data = load_nlu(Path(nlu_dir))
    index = index if index is not None else EvalIndex.default(eval_dir)
    problems: list[Problem] = list(data.problems)

    # exact duplicates: the same plain text twice under one intent (markup aside; variants that
    # only match once normalised - Traditional characters, punctuation - are deliberate)
    seen: dict[tuple[str, str], Example] = {}
    by_key: dict[str, list[Example]] = defaultdict(list)
    for ex in data.examples:
        first = seen.get((ex.intent, ex.plain))
        if first is not None:
            same = "repeats" if first.raw == ex.raw else "is the same text, annotated differently, as"
            problems.append(Problem("duplicate", ex.where, f"{ex.raw!r} {same} {first.where} ({ex.intent})"))
            continue
        seen[(ex.intent, ex.plain)] = ex
        if ex.key:
            by_key[ex.key].append(ex)
    for key, group in by_key.items():
        intents = sorted({ex.intent for ex in group})
        if len(intents) > 1:
            places = ", ".join(f"{ex.intent} ({ex.where}: {ex.plain!r})" for ex in group)
            problems.append(Problem("conflict", group[0].where,
                                    f"the same normalised text is labelled {' and '.join(intents)}: {places}"))
    for key, group in by_key.items():
        leak = index.match(group[0].plain, key)
        if leak is not None:
            for ex in group:
                problems.append(Problem("eval-leak" if leak.kind == "exact" else "eval-near-duplicate",
                                        ex.where, f"{ex.intent} example {leak.describe()}"))
    for ex in data.examples:
        unknown = sorted({e["entity"] for e in ex.entities} - set(contract.ENTITIES))
        if unknown:
            problems.append(Problem("unknown-entity", ex.where, f"entity type {', '.join(unknown)} "
                                    "is not in the contract"))
    counts = data.counts()
    for intent in contract.INTENTS:
        if counts[intent] < min_examples:
            problems.append(Problem("too-few-examples", _rel(data.root),
                                    f"{intent} has {counts[intent]} example(s), needs at least {min_examples}"))
    for intent in sorted(set(counts) - set(contract.INTENTS)):
        where = next(b for b in data.blocks if b.intent == intent)
        problems.append(Problem("unknown-intent", f"{_rel(where.path)}:{where.key_line + 1}",
                                f"intent {intent} ({counts[intent]} examples) is not in the contract"))
    summary = {"examples": len(data.examples), "intents": len(counts), "files": len(data.files),
               "eval_sentences": len(index)}
    return problems, summary


# --------------------------------------------------------------------------------------------
# Inbox: low-confidence messages from the tracker store

INBOX_COLUMNS = ("text", "predicted_intent", "confidence", "sender_id", "timestamp", "intent")


def tracker_url() -> str:
    """BOT_TRACKER_URL, else the SQLite file ``bot serve`` gives Rasa (BOT_TRACKER_DB), else
    ``sqlite:///var/tracker.db`` (relative SQLite paths are taken from the project root)."""
    url = os.environ.get("BOT_TRACKER_URL", "").strip()
    if url:
        return url
    db = os.environ.get("BOT_TRACKER_DB", "").strip()
    return f"sqlite:///{db}" if db else "sqlite:///var/tracker.db"


def _resolve_url(url: str):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BotError(f"tracker store URL {url!r} is not a database URL: {exc}") from None
    if parsed.drivername.startswith("sqlite"):
        db = parsed.database or ""
        if not db or db == ":memory:":
            raise BotError(f"tracker store URL {url!r} names no database file")
        path = Path(db)
        if not path.is_absolute():
            path = PROJECT_ROOT / path
        if not path.exists():
            raise BotError(f"tracker store {path} does not exist (set BOT_TRACKER_URL)")
        parsed = parsed.set(database=str(path))
    return parsed


@dataclass
class InboxRow:
    text: str
    predicted_intent: str
    confidence: Optional[float]
    sender_id: str
    timestamp: Optional[float]


def read_inbox(url: Optional[str] = None, *, since: Optional[dt.date] = None,
               threshold: float = 0.6) -> list[InboxRow]:
    """User messages predicted ``nlu_fallback`` or with confidence < threshold, oldest first.

    Reads Rasa's SQLTrackerStore table ``events`` (sender_id, type_name, timestamp,
    intent_name, data JSON). Button payloads (``/intent``) are left out; digit runs are masked;
    a text seen several times is listed once (its latest occurrence).
    """
    import sqlalchemy as sa
    from sqlalchemy.exc import SQLAlchemyError

    from bot import clock

    if not 0.0 <= threshold <= 1.0:
        raise BotError(f"--threshold {threshold} must be between 0 and 1")
    engine = sa.create_engine(_resolve_url(url or tracker_url()))
    query = ("SELECT sender_id, timestamp, intent_name, data FROM events "
             "WHERE type_name = :type")
    params: dict = {"type": "user"}
    if since is not None:
        start = dt.datetime.combine(since, dt.time(0, 0), tzinfo=clock.TZ)
        query += " AND timestamp >= :since"
        params["since"] = start.timestamp()
    query += " ORDER BY timestamp, id"
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(query), params).fetchall()
    except SQLAlchemyError as exc:
        raise BotError(f"cannot read the tracker store's events table: {exc.__class__.__name__}: "
                       f"{str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    latest: dict[str, InboxRow] = {}
    for sender_id, timestamp, intent_name, payload in result:
        try:
            data = json.loads(payload or "{}")
        except ValueError:
            data = {}
        text = (data.get("text") or "").strip()
        if not text or text.startswith("/"):
            continue
        intent = (data.get("parse_data") or {}).get("intent") or {}
        name = intent.get("name") or intent_name or ""
        confidence = intent.get("confidence")
        try:
            confidence = float(confidence) if confidence is not None else None
        except (TypeError, ValueError):
            confidence = None
        if not (name == contract.FALLBACK_INTENT or confidence is None or confidence < threshold):
            continue
        text = mask_digits(" ".join(text.split()))
        key = text_key(text) or text
        latest.pop(key, None)
        latest[key] = InboxRow(text, name, confidence, str(sender_id), timestamp)
    return sorted(latest.values(), key=lambda r: (r.timestamp or 0.0))


def write_inbox(rows: Sequence[InboxRow], out: Path) -> None:
    from bot import clock

    def clean(value: str) -> str:
        return " ".join(str(value).replace("\t", " ").split())

    lines = ["\t".join(INBOX_COLUMNS)]
    for row in rows:
        when = (dt.datetime.fromtimestamp(row.timestamp, tz=clock.TZ).isoformat(timespec="seconds")
                if row.timestamp is not None else "")
        conf = f"{row.confidence:.3f}" if row.confidence is not None else ""
        lines.append("\t".join([clean(row.text), clean(row.predicted_intent), conf,
                                clean(row.sender_id), when, ""]))
    atomic_write(Path(out), "\n".join(lines) + "\n")


def inbox(out: Path, *, url: Optional[str] = None, since: Optional[dt.date] = None,
          threshold: float = 0.6) -> list[InboxRow]:
    rows = read_inbox(url, since=since, threshold=threshold)
    write_inbox(rows, out)
    return rows


__all__ = [
    "EvalIndex", "EvalLeak", "ExampleConflict", "ImportReport", "InvalidExample", "Leak", "NluData",
    "Outcome", "Problem", "UnknownIntent", "add_example", "char_ngrams", "import_tsv", "inbox",
    "jaccard", "lint", "load_nlu", "mask_digits", "read_inbox", "read_tsv", "text_key",
]
