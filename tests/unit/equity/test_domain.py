"""The pure equity rules: buckets, the need-without-service flag, sort orders, the grid's geometry."""

from __future__ import annotations

from timebank.equity import domain


def village(name, township="甲镇", **kw) -> domain.Village:
    return domain.Village(id=hash(name) % 1000, name=name, township_id=1 if township == "甲镇" else 2,
                          township=township, **kw)


def test_buckets():
    assert [domain.bucket(d) for d in (None, 0, 30, 31, 90, 91, 180, 181)] == [
        "never", "recent", "recent", "month", "month", "quarter", "quarter", "long"]


def test_need_without_a_visit_is_a_gap_and_sorts_first():
    served = village("甲村", in_need=5, visits=2, days_since=3)
    gap_old = village("乙村", in_need=1, visits=0, days_since=400)
    gap_never = village("丙村", in_need=2)
    quiet = village("丁村")
    assert (served.gap, gap_old.gap, gap_never.gap, quiet.gap) == (False, True, True, False)
    ordered = domain.sort_villages([served, quiet, gap_old, gap_never], "gap")
    assert [v.name for v in ordered][:2] == ["丙村", "乙村"]
    assert domain.sort_villages([served, gap_old], "need")[0] is served
    assert domain.sort_villages([served, gap_old], "bogus")[0] is gap_old


def test_the_grid_groups_by_township_with_labels():
    villages = [village(f"村{i}") for i in range(8)] + [village("乙1", township="乙镇")]
    grid = domain.grid(domain.group_by_township(villages), per_row=6)
    assert [label[2] for label in grid.labels] == ["乙镇", "甲镇"]
    assert len(grid.cells) == 9
    assert max(c.x for c in grid.cells) + domain.CELL_W <= grid.width
    assert max(c.y for c in grid.cells) + domain.CELL_H <= grid.height
