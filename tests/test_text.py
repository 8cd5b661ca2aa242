"""The shared text toolkit: script detection, sentence and clause splitting, numerals and language codes."""

from __future__ import annotations

import re

import pytest

from analyzers.text.language import (
    is_auto,
    is_chinese_code,
    language_of_text,
    normalise_language,
    resolve_language,
)
from analyzers.text.numbers import EN_NUMBER_PATTERN, chinese_int, english_int, parse_int
from analyzers.text.script import HAN, count_han, count_latin_words, has_han, mostly_han
from analyzers.text.sentences import split_clauses, split_sentences

# ------------------------------------------------------------------------------------------------------ script


def test_han_covers_the_ideograph_blocks_and_nothing_else():
    for ch in ("中", "㐀", "鿿", "豈", "\U00020000"):  # unified, extension A, last unified, compatibility, extension B
        assert has_han(ch), hex(ord(ch))
    for ch in ("a", "1", "。", "，", "あ", "カ", "한", "Ａ", "䷀"):  # punctuation, kana, hangul, full-width, hexagram
        assert not has_han(ch), hex(ord(ch))
    assert re.fullmatch(rf"[{HAN}]{{2,4}}", "张三丰")


def test_counts_and_majority_in_mixed_text():
    assert count_han("我用Python写了3个service") == 5
    assert count_latin_words("我用Python写了3个service, it's done") == 4  # numbers are not words
    assert mostly_han("我负责前端开发，主要用React")
    assert not mostly_han("I led the React migration 我们")
    assert not mostly_han("")
    assert mostly_han("我们2023年上线")  # digits do not make a Chinese text English
    assert not mostly_han("我喜欢 Python and Go", ratio=2)  # 3 Han characters, 3 words: no clear majority
    assert mostly_han("我非常喜欢用 Python", ratio=2)


# --------------------------------------------------------------------------------------------------- sentences


def test_english_sentences_keep_numbers_and_abbreviations_whole():
    text = "Revenue grew to 1,200 units, e.g. in Q3. It was 3.5 times faster! Was it v2.1? No. 5 shipped. I said no. Done"
    assert split_sentences(text) == [
        "Revenue grew to 1,200 units, e.g. in Q3.", "It was 3.5 times faster!", "Was it v2.1?", "No. 5 shipped.",
        "I said no.", "Done"]


def test_chinese_sentences_keep_decimals_and_closing_quotes():
    assert split_sentences("销售额达到1.2万元。他说：“好的。”然后呢？！我们上线了") == [
        "销售额达到1.2万元。", "他说：“好的。”", "然后呢？！", "我们上线了"]


def test_mixed_script_and_line_breaks():
    assert split_sentences("I used Redis. 然后我们上线了。\n- bullet one\nbullet two") == [
        "I used Redis.", "然后我们上线了。", "- bullet one", "bullet two"]
    assert split_sentences("a full stop before lowercase. stays inside") == ["a full stop before lowercase. stays inside"]
    assert split_sentences("") == [] and split_sentences("   \n ") == []


def test_soft_ends_are_optional():
    text = "costs fell 20%; it was great… um"
    assert split_sentences(text) == ["costs fell 20%;", "it was great…", "um"]
    assert split_sentences(text, soft_ends=False) == [text]
    assert split_sentences("好；还有", soft_ends=False) == ["好；还有"]


def test_clauses_do_not_split_numbers():
    assert split_clauses("我们卖了1,200台，10:30开会；然后呢？！好、行") == ["我们卖了1,200台，", "10:30开会；", "然后呢？！", "好、行"]
    assert split_clauses("好、行", list_commas=True) == ["好、", "行"]
    assert split_clauses("Skills: Python, Java; 3.5 years") == ["Skills:", "Python,", "Java;", "3.5 years"]


# ----------------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("text,value", [
    ("12", 12), ("五", 5), ("十", 10), ("十二", 12), ("三十二", 32), ("两百", 200), ("一百零五", 105),
    ("三千二百", 3200), ("一万二千", 12000), ("二十万", 200000), ("两亿", 200_000_000), ("二零二一", 2021), ("零", 0),
])
def test_chinese_numerals(text, value):
    assert chinese_int(text) == value


@pytest.mark.parametrize("text", ["", "3.5", "十五个", "abc", "1.2万"])
def test_not_a_whole_number(text):
    assert chinese_int(text) is None


def test_english_number_words_and_any_form():
    assert english_int("Nine") == 9 and english_int("a dozen") == 12 and english_int("twenty-five") == 25
    assert english_int("twenty-twenty") is None and english_int("hundred") is None
    assert [parse_int(s) for s in ("14", "fourteen", "十四", "many")] == [14, 14, 14, None]
    found = re.findall(rf"\b({EN_NUMBER_PATTERN})\b", "a team of twenty-five, then fourteen, then a dozen")
    assert found == ["twenty-five", "fourteen", "a dozen"] and all(english_int(w) for w in found)


# ---------------------------------------------------------------------------------------------------- language


@pytest.mark.parametrize("value,expected", [
    ("zh", "zh"), ("zh-CN", "zh"), ("ZH_tw", "zh"), ("zh-Hans", "zh"), ("cmn", "zh"), ("yue", "zh"), ("Chinese", "zh"),
    ("en", "en"), ("en-US", "en"), ("EN", "en"), (None, "en"), ("", "en"), ("ko", "en"), ("ja", "en"), ("auto", "en"),
])
def test_normalise_language(value, expected):
    assert normalise_language(value) == expected
    assert is_chinese_code(value) == (expected == "zh")


def test_language_from_text_when_none_is_given():
    assert is_auto(None) and is_auto("") and is_auto("Auto") and not is_auto("en")
    assert language_of_text("我负责了这个项目") == "zh" and language_of_text("I led it") == "en"
    assert resolve_language("auto", "我负责了这个项目") == "zh"
    assert resolve_language(None, "I led it") == "en"
    assert resolve_language("en", "我负责了这个项目") == "en"  # a given language wins over the script
    assert resolve_language("zh-CN", "I led it") == "zh"
