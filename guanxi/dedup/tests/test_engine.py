"""The engine's pure parts: blocks, block scoring with cdist, exact groups, the person matcher."""

from __future__ import annotations

from guanxi.dedup import engine
from guanxi.dedup.quality import measure


def test_company_blocks_never_compare_all_pairs():
    keys = {1: "星河科技", 2: "星河科枝", 3: "华信网络", 4: "x", 5: "银河科技"}
    blocks = sorted(sorted(b) for b, _order in engine.company_blocks(keys))
    # 星河… share their front, 星河科技 and 银河科技 their third and fourth; 华信网络 is alone, "x" too short.
    assert blocks == [[1, 2], [1, 5]]


def test_similar_company_pairs_scores_within_blocks():
    keys = {1: "星河科技", 2: "星河科枝", 3: "华信网络", 5: "银河科技", 6: "星河科技"}
    found = engine.similar_company_pairs(keys, threshold=70)
    assert found == {(1, 2): 0.75, (1, 5): 0.75, (1, 6): 1.0, (2, 6): 0.75, (5, 6): 0.75}
    assert engine.similar_company_pairs(keys, threshold=90) == {(1, 6): 1.0}


def test_large_blocks_use_sorted_windows(monkeypatch):
    monkeypatch.setattr(engine, "BLOCK_LIMIT", 4)
    monkeypatch.setattr(engine, "WINDOW", 4)
    keys = {i: f"星河{chr(0x4E00 + i)}科技" for i in range(10)} | {100: "星河一科技"}
    windows = list(engine._windows(sorted(keys), keys.__getitem__))
    assert all(len(w) <= 4 for w in windows) and len(windows) == 5
    assert engine.similar_company_pairs(keys, threshold=100) == {(0, 100): 1.0}


def test_group_pairs_caps_large_groups(monkeypatch):
    assert list(engine.group_pairs([3, 1, 2])) == [(1, 2), (1, 3), (2, 3)]
    monkeypatch.setattr(engine, "GROUP_LIMIT", 3)
    assert list(engine.group_pairs([4, 3, 1, 2])) == [(1, 2), (1, 3), (1, 4)]


def test_person_similarity_reads_pinyin():
    assert engine.person_similarity("张伟", "張偉") == 1.0
    assert engine.person_similarity("张伟", "Zhang Wei") == 1.0
    assert engine.person_similarity("张伟", "张玮") == 1.0  # same pinyin: an IME slip
    assert engine.person_similarity("张伟", "李娜") < 0.5
    assert engine.person_similarity("", "李娜") == 0.0


def test_person_matcher_needs_two_fields():
    matcher = engine.PersonMatcher(
        fields=[("name", "person", 2.0), ("birthday", "exact", 2.0)],
        blocking=[engine.name_pinyin_block("name")],
        threshold=0.9,
    )
    records = {
        1: {"name": "张伟", "birthday": "1990-01-02"},
        2: {"name": "張偉", "birthday": "1990-01-02"},
        3: {"name": "张伟", "birthday": ""},  # a bare namesake: not evidence enough
        4: {"name": "张伟", "birthday": "1985-05-05"},
    }
    assert set(matcher.matches(records)) == {(1, 2)}
    assert matcher.score(records[1], records[4])[1] == {"name": 1.0, "birthday": 0.0}


def test_febrl1_f1_at_least_099():
    """The issue's quality bar on the FEBRL1 data set (1,000 records, 500 known duplicate pairs)."""
    quality = measure("febrl1")
    assert (quality.records, quality.true_pairs) == (1000, 500)
    assert quality.f1 >= 0.99, quality
    assert quality.compared < quality.records * (quality.records - 1) // 2 // 25  # blocking works
