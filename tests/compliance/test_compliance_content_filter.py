"""Rule 5: the outgoing content filter, measured on the corpus and attacked with evasions.

The corpus (corpus_prohibited.txt / corpus_allowed.txt) was written before the filter and is not
tuned to it. holdout_*.txt was also written before the filter; its numbers are printed to show
how the rules generalise, with a lower floor. Its first run scored precision 0.9231 / recall
0.9231; one change was made after seeing it (negation cues 无任何/无其他…, because the plan
disclosure template "无任何手续费" was being blocked); nothing else was tuned on it.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.compliance import filter_rules
from bot.compliance.content_filter import FilterResult, check, normalise

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def load_corpus(name: str, labelled: bool) -> list[tuple[str | None, str]]:
    rows = []
    for number, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if labelled:
            category, sep, sentence = line.partition("\t")
            assert sep and sentence.strip(), f"{name}:{number}: expected 'category<TAB>sentence'"
            rows.append((category.strip(), sentence))
        else:
            rows.append((None, line))
    return rows


def measure(prohibited, allowed):
    tp = fn = fp = same_category = 0
    misses, false_alarms = [], []
    for category, sentence in prohibited:
        result = check(sentence)
        if result.allowed:
            fn += 1
            misses.append(f"{category}\t{sentence}")
        else:
            tp += 1
            same_category += result.category == category
    for _, sentence in allowed:
        result = check(sentence)
        if not result.allowed:
            fp += 1
            false_alarms.append(f"{result.category}({result.matched})\t{sentence}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, same_category / max(tp, 1), misses, false_alarms


# --- the corpus ---------------------------------------------------------------------------------
def test_corpus_is_large_and_labelled_with_known_categories():
    prohibited = load_corpus("corpus_prohibited.txt", labelled=True)
    allowed = load_corpus("corpus_allowed.txt", labelled=False)
    assert len(prohibited) >= 170 and len(allowed) >= 170
    assert {c for c, _ in prohibited} == set(filter_rules.CATEGORY_ORDER)
    assert len({s for _, s in prohibited}) == len(prohibited), "duplicate prohibited lines"
    assert len({s for _, s in allowed}) == len(allowed), "duplicate allowed lines"
    assert not {s for _, s in prohibited} & {s for _, s in allowed}


def test_precision_and_recall_on_corpus(report):
    prohibited = load_corpus("corpus_prohibited.txt", labelled=True)
    allowed = load_corpus("corpus_allowed.txt", labelled=False)
    precision, recall, category_agreement, misses, false_alarms = measure(prohibited, allowed)
    line = (f"corpus: {len(prohibited)} prohibited / {len(allowed)} allowed lines — "
            f"precision {precision:.4f}, recall {recall:.4f}, "
            f"category agreement {category_agreement:.4f}")
    print(line)
    report(line)
    for text in misses:
        report(f"  missed:      {text}")
    for text in false_alarms:
        report(f"  false alarm: {text}")
    assert precision >= 0.98, f"false alarms: {false_alarms}"
    assert recall >= 0.98, f"missed: {misses}"


def test_holdout_generalisation_is_reported(report):
    prohibited = load_corpus("holdout_prohibited.txt", labelled=True)
    allowed = load_corpus("holdout_allowed.txt", labelled=False)
    precision, recall, _, misses, false_alarms = measure(prohibited, allowed)
    line = (f"holdout (first run 0.9231/0.9231, see docstring): {len(prohibited)} prohibited / {len(allowed)} allowed — "
            f"precision {precision:.4f}, recall {recall:.4f}")
    print(line)
    report(line)
    for text in misses:
        report(f"  holdout missed:      {text}")
    for text in false_alarms:
        report(f"  holdout false alarm: {text}")
    assert precision >= 0.85 and recall >= 0.85


def test_regression_examples(report):
    """Evasions and lawful look-alikes found by probing after the filter was written (tuning data)."""
    blocked = load_corpus("regression_blocked.txt", labelled=False)
    allowed = load_corpus("regression_allowed.txt", labelled=False)
    missed = [s for _, s in blocked if check(s).allowed]
    false_alarms = [f"{check(s).category}({check(s).matched}) {s}" for _, s in allowed if not check(s).allowed]
    report(f"regression (tuning data, not a measure): {len(blocked)} must-block / {len(allowed)} must-pass, "
           f"{len(missed)} missed, {len(false_alarms)} false alarms")
    assert not missed, missed
    assert not false_alarms, false_alarms


# --- the lawful facts named in the spec --------------------------------------------------------
@pytest.mark.parametrize("text", [
    "逾期会产生罚息",
    "逾期记录可能会报送中国人民银行征信中心",
    "银行可能依法通过民事诉讼追偿",
    "您可以拨打12378投诉",
    "如需帮助我们可以为您转接人工",
    "我们不会联系您的家人",
    "不会上门",
    "不会收取任何催收费用",
    "您有权对催收行为进行投诉，也可以拨打12378。",
    "您的本期应还2794.19元，还款日2026-12-10，年化利率18.25%（单利）。",
    "听说您家人去世，我们深表哀悼。还款的事可以先放一放，需要时我为您转接人工。",
    "您提到家人生病住院，我们记录为“家庭紧急情况”，不会记录具体病情。",
    "您提到孩子上学需要用钱，我们可以看看更长期限的分期。",
    "您可以找家人商量一下，再告诉我们您的决定。",
])
def test_lawful_facts_pass(text):
    result = check(text)
    assert result == FilterResult(allowed=True, category=None, matched=None, safe_text=text)


# --- evasions -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, category", [
    ("不还就坐牢", "criminal_liability"),
    ("不还就坐 牢", "criminal_liability"),
    ("不还就坐。牢", "criminal_liability"),
    ("不还就坐\u200b牢", "criminal_liability"),           # zero-width space
    ("不还就坐\u2060牢", "criminal_liability"),           # word joiner
    ("不还就坐😡牢", "criminal_liability"),               # emoji between characters
    ("不还就坐牢", "criminal_liability"),
    ("不還就會被判刑", "criminal_liability"),             # Traditional
    ("你會被拘留", "criminal_liability"),
    ("你想座牢吗", "criminal_liability"),                 # homophones
    ("你想坐劳吗", "criminal_liability"),
    ("等着被居留吧", "criminal_liability"),               # 居留 in a threat context
    ("ＺＵＯＬＡＯ了解一下", "criminal_liability"),        # full-width pinyin
    ("zuo lao了解一下", "criminal_liability"),
    ("我们是法园的", "impersonation"),
    ("我們是法院", "impersonation"),
    ("本人是律师", "impersonation"),
    ("公安局通知：你涉嫌诈骗", "impersonation"),
    ("黑 涩 会的人会找你", "violence"),
    ("你已被列入全 国 黑 名 单", "false_consequence"),
    ("逾期后坐不了高铁", "false_consequence"),
    ("不还就告诉你的家人", "third_party_threat"),
    ("再不还就爆你通迅录", "third_party_threat"),
    ("你可以去借网贷先还上", "borrow_to_repay"),
    ("信用卡套现还一下", "borrow_to_repay"),
    ("需要交500元催收费", "fake_fee"),
    ("你 这 个 老 赖", "insult"),
    ("S B 还钱", "insult"),
    ("后果自负", "threat"),
    ("不还就上门", "threat"),
])
def test_evasions_are_blocked(text, category):
    result = check(text)
    assert not result.allowed
    assert result.category == category
    assert result.safe_text == filter_rules.SAFE_FALLBACKS[category]
    assert result.matched


# --- negation: a negated harmful claim passes, a conditional one does not ------------------------
@pytest.mark.parametrize("text", [
    "我们不会上门",
    "即使您逾期，我们也不会上门催收。",
    "我们不会因为您逾期就联系您的同事",
    "逾期不会坐牢，属于民事纠纷",
    "我们不是法院，也不是公安机关",
    "所谓“全国黑名单”并不存在",
    "请不要通过以贷养贷的方式还款",
    "我们不收取上门费、催收费或律师费",
    "如有人自称法院要求您转账，请拨打110核实",
    "您说的“爆通讯录”是违规的，我们绝对不会这样做",
])
def test_negated_claims_pass(text):
    assert check(text).allowed, check(text)


@pytest.mark.parametrize("text", [
    "不还就上门",
    "没有还款的话我们就上门",
    "我们不会上门，但会通知你单位",
    "我们不会上门但会告诉你单位",
    "只有还钱才不会坐牢",
    "你不会想让我们上门吧",
    "请不要逼我们上门",
    "我们绝不会放过你",
])
def test_conditional_or_rearmed_claims_are_blocked(text):
    assert not check(text).allowed


# --- fallbacks and robustness -------------------------------------------------------------------
def test_every_category_has_a_fallback_that_itself_passes():
    for category in filter_rules.CATEGORY_ORDER:
        fallback = filter_rules.SAFE_FALLBACKS[category]
        assert "人工" in fallback
        assert check(fallback).allowed, category
        assert category in filter_rules.CATEGORY_LABELS


def test_blocked_result_explains_itself_to_a_collector():
    result = check("不还就让你坐牢")
    assert "刑事责任" in result.reason and "坐牢" in result.reason
    assert check("您好").reason == ""


def test_normalise_folds_width_script_case_and_noise():
    assert normalise("ＡＢＣ 後果\u200b自負！").text == "abc后果自负"
    norm = normalise("不会，上门")
    assert norm.clause[0] != norm.clause[-1]


def test_homophones_keep_length():
    for variant, canonical in filter_rules.HOMOPHONES.items():
        assert len(variant) == len(canonical)


@pytest.mark.parametrize("text", ["", " ", "\u200b", "😀😀", "。。。", "12378"])
def test_degenerate_inputs_pass(text):
    assert check(text).allowed


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_check_never_raises_and_is_consistent(text):
    result = check(text)
    assert isinstance(result, FilterResult)
    if result.allowed:
        assert result.safe_text == text and result.category is None
    else:
        assert result.category in filter_rules.CATEGORY_ORDER and result.safe_text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([" ", "\u200b", "·", "-", "*", "😀", "　", "\u200d"]), min_size=1, max_size=3))
def test_noise_between_characters_does_not_hide_a_keyword(noise):
    assert not check("不还就坐" + "".join(noise) + "牢").allowed


# --- purity: no Rasa, no database ---------------------------------------------------------------
FORBIDDEN_IMPORTS = ("rasa", "rasa_sdk", "sqlalchemy", "psycopg2", "redis", "sqlite3")


def test_compliance_package_imports_nothing_from_rasa_or_a_database():
    for path in (ROOT / "bot" / "compliance").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN_IMPORTS, f"{path.name} imports {name}"
                if name.startswith("bot."):
                    assert name in {"bot.clock", "bot.errors"} or name.startswith("bot.compliance"), \
                        f"{path.name} imports {name}"


def test_importing_the_package_loads_no_rasa():
    code = ("import sys, bot.compliance.content_filter, bot.compliance.masking, "
            "bot.compliance.policy, bot.compliance.reminders; "
            "bad = [m for m in sys.modules if m.split('.')[0] in %r]; "
            "assert not bad, bad" % (FORBIDDEN_IMPORTS,))
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
