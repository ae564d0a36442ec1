"""bot.nlu.normalise: t2s, width folding, whitespace, offsets."""
from __future__ import annotations

import random
import time

import pytest

from bot.nlu.normalise import normalise, normalise_with_offsets, to_original_span


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("我還錢給銀行，後天還", "我还钱给银行,后天还"),
        ("發工資那天", "发工资那天"),
        ("電話號碼尾號８８８８", "电话号码尾号8888"),
        ("１２３ＡＢＣａｂｃ", "123ABCabc"),
        ("（你好）！？：；", "(你好)!?:;"),
        ("￥８００", "¥800"),
        ("你好\u3000\u3000世界", "你好 世界"),
        ("  我  15号\t还\n三千  ", "我 15号 还 三千"),
        ("a\u200bb\ufeff", "ab"),
        ("还款👍🏽👨\u200d👩\u200d👧🤔\ufe0f", "还款👍🏽👨\u200d👩\u200d👧🤔\ufe0f"),
        ("ok app 微粒贷", "ok app 微粒贷"),
        ("", ""),
        ("   ", ""),
        ("\u3000", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("冇钱 点算", "没钱 咋办"),  # found by a probe: a fallback
    ("我已经还咗钱", "我已经还了钱"),
    ("佢哋成日打俾我", "他们成日打给我"),
    ("幾時扣款", "啥时扣款"),  # Traditional first, then the dialect word
    ("啥子时候还", "什么时候还"),
    ("木有钱", "没有钱"),
    ("唔 好吧", "唔 好吧"),  # 唔 alone is a Mandarin hum: kept
    ("系统出错", "系统出错"),  # 系 is not touched
])
def test_dialect_words_become_mandarin_of_the_same_length(raw, expected):
    assert normalise(raw) == expected
    assert len(normalise_with_offsets(raw)[1]) == len(normalise(raw)) + 1


def test_none_is_empty():
    assert normalise(None) == ""
    assert normalise_with_offsets(None) == ("", [0])


def test_length_preserving_without_whitespace():
    raw = "我１５號還參千伍，身份證後四位１２３Ｘ😀"
    assert len(normalise(raw)) == len(raw)


def test_idempotent():
    for raw in ["我還錢　　１２３", " ａ  ｂ ", "後天還３ｋ", "😀 😀"]:
        once = normalise(raw)
        assert normalise(once) == once


def _random_text(rng: random.Random, n: int) -> str:
    pool = "我還钱１２３ＡＢａ，。！ \t\n\u3000\u200b😀👨\u200d👩号後天三千五k"
    return "".join(rng.choice(pool) for _ in range(n))


def test_offsets_map_back_to_original_characters():
    rng = random.Random(7)
    for _ in range(300):
        raw = _random_text(rng, rng.randint(0, 40))
        out, offsets = normalise_with_offsets(raw)
        assert out == normalise(raw)
        assert len(offsets) == len(out) + 1 and offsets[-1] == len(raw)
        assert offsets[:-1] == sorted(set(offsets[:-1]))
        for i, ch in enumerate(out):
            orig = raw[offsets[i]]
            if ch == " ":
                assert orig.isspace()
            else:
                assert normalise(orig) == ch or orig == ch
        if out:
            s, e = to_original_span(offsets, 0, len(out))
            assert normalise(raw[s:e]) == out


def test_long_text_is_fast():
    raw = ("我還錢給銀行，後天還３０００元 😀  " * 300)[:6000]
    start = time.perf_counter()
    out = normalise(raw)
    _, offsets = normalise_with_offsets(raw)
    elapsed = time.perf_counter() - start
    assert len(out) > 5000 and len(offsets) == len(out) + 1
    assert elapsed < 0.5
