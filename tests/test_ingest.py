"""Ingest: discovery, decoding with detection, HTML to text, metadata."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from fazhi import ingest
from fazhi.ingest import IngestError, decode, discover, document_from_bytes, html_to_text
from fazhi.metadata import extract_metadata

SIMPLIFIED = "2020年,台州市中级人民法院受理案件57876件,结案率95.74%。"
TRADITIONAL = "2020年,台州市中級人民法院受理案件57876件,結案率95.74%,審判質效穩步提升。"


@pytest.mark.parametrize("encoding, text, expected", [
    ("utf-8", SIMPLIFIED, "utf-8"),
    ("utf-8-sig", SIMPLIFIED, "utf-8-sig"),
    ("utf-16", SIMPLIFIED, "utf-16"),
    ("gb18030", SIMPLIFIED, "gb18030"),
    ("big5", TRADITIONAL, "big5"),
])
def test_decode_detects_the_encoding(encoding, text, expected):
    decoded, used, warnings = decode(text.encode(encoding))
    assert decoded == text
    assert used == expected
    assert warnings == []


def test_gb18030_file_with_longer_text_decodes(tmp_path):
    text = "沈阳两级法院共受理并审结涉黑恶案件369件1719人,结案率100%;发出司法建议326份,回复、整改率100%。"
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gb18030"))
    files, problems = discover(tmp_path)
    assert files == [path] and problems == []
    doc = document_from_bytes(path.read_bytes(), "gbk.txt")
    assert doc.raw_text.strip() == text
    assert doc.encoding == "gb18030"


def test_big5_file_decodes():
    text = "掃黑除惡專項鬥爭開展3年來,瀋陽兩級法院共受理並審結涉黑惡案件369件1719人,結案率100%。"
    doc = document_from_bytes(text.encode("big5"), "big5.txt")
    assert doc.raw_text.strip() == text
    assert doc.encoding == "big5"


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200, "binary"),
])
def test_decode_refuses_what_is_not_text(raw, reason):
    with pytest.raises(IngestError, match=reason):
        decode(raw)


def test_a_few_bad_bytes_in_utf8_are_replaced_and_reported():
    raw = ("受理案件57876件," * 50).encode() + b"\xff\xfe\xfa" + ("结案率95.74%。" * 50).encode()
    text, encoding, warnings = decode(raw)
    assert encoding == "utf-8"
    assert "\ufffd" in text and "结案率95.74%" in text
    assert warnings and "replaced" in warnings[0]


def test_doc_id_is_a_hash_of_the_bytes():
    a = document_from_bytes(SIMPLIFIED.encode(), "a.txt")
    b = document_from_bytes(SIMPLIFIED.encode(), "b.txt")
    c = document_from_bytes((SIMPLIFIED + "。").encode(), "a.txt")
    assert a.doc_id == b.doc_id != c.doc_id


def test_html_is_reduced_to_its_text_with_a_real_parser():
    html = """<!DOCTYPE html><html><head><title>标题</title><style>p{color:red}</style>
    <script>var x = "受理案件1件";</script></head><body><nav>首页 | 新闻</nav>
    <div class="content"><p>2020年,全市法院受理案件<b>57876</b>件。</p><p>结案率95.74%。</p>
    <table><tr><td>收案</td><td>59 225</td></tr></table></div></body></html>"""
    text = html_to_text(html)
    assert "受理案件57876件。" in text
    assert "结案率95.74%。" in text
    assert "var x" not in text and "color:red" not in text and "首页" not in text
    assert "收案 | 59 225" in text


def test_html_page_with_txt_name_is_detected():
    doc = document_from_bytes("<html><body><p>结案率95.74%。</p></body></html>".encode(), "page.txt")
    assert doc.is_html and doc.raw_text.strip() == "结案率95.74%。"


def test_discover_finds_report_files_recursively_and_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/2.html", "a.txt", "c.md", "d.htm", "e.pdf", "f.TXT"):
        (tmp_path / name).write_text("x")
    files, _ = discover(tmp_path)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a.txt", "c.md", "d.htm", "f.TXT", "b/2.html"]


def test_discover_survives_a_symlink_loop(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.txt").write_text("x")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    files, problems = discover(tmp_path)
    assert [f.name for f in files] == ["r.txt"]
    assert problems and "symlink loop" in problems[0][1]


def test_symlinks_out_of_the_input_folder_are_not_followed_unless_asked(tmp_path):
    root, outside = tmp_path / "in", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "a.txt").write_text("x")
    (outside / "b.txt").write_text("y")
    (root / "sub" / "inner.txt").symlink_to(root / "a.txt")  # inside the folder: read
    (root / "secret.txt").symlink_to(outside / "b.txt")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    files, problems = discover(root)
    assert [f.relative_to(root).as_posix() for f in files] == ["a.txt", "sub/inner.txt"]
    assert sorted((Path(p).name, why.split(",")[0]) for p, why in problems) == [
        ("linked", f"symlink to {outside.resolve()}"), ("secret.txt", f"symlink to {(outside / 'b.txt').resolve()}")]
    assert all("not followed (--follow-links follows it)" in why for _, why in problems)
    followed, problems = discover(root, follow_links=True)
    assert [f.relative_to(root).as_posix() for f in followed] == ["a.txt", "secret.txt", "linked/b.txt",
                                                                   "sub/inner.txt"]
    assert problems == []


def fifo(path):
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("make, reason", [
    (lambda d: fifo(d / "fifo.txt"), "not a regular file (a FIFO)"),
    (lambda d: (d / "zero.txt").symlink_to("/dev/zero") or d / "zero.txt", "not a regular file (a character device)"),
    (lambda d: (d / "big.txt").write_bytes(b"x" * 65) and d / "big.txt", "too large: 65 bytes"),
])
def test_only_regular_files_within_the_cap_are_read(tmp_path, monkeypatch, make, reason):
    monkeypatch.setattr(ingest, "MAX_BYTES", 64)
    with pytest.raises(IngestError, match=re.escape(reason)):
        ingest.read_capped(make(tmp_path))


def test_metadata_from_a_page_header():
    text = ("结案平均用时缩短65.2天!浙江东阳法院的\"一件事\"集成改革亮了\n"
            "时间:2023-03-28 08:22来源:法治网责任编辑:施少伦\n\n法治日报记者 陈东升\n\n法治日报通讯员 王帷韬\n\n正文。")
    meta = extract_metadata(text)
    assert meta.title.startswith("结案平均用时缩短65.2天")
    assert meta.published_at.isoformat() == "2023-03-28T08:22:00"
    assert meta.outlet == "法治网"
    assert meta.reporters == ["陈东升"]
    assert meta.correspondents == ["王帷韬"]


def test_page_title_loses_the_site_name():
    assert extract_metadata("广州中院发布2022年审判执行工作数据_广州市中级人民法院\n\n正文。").title == "广州中院发布2022年审判执行工作数据"


def test_metadata_byline_with_several_people():
    meta = extract_metadata("标题在这里很长的标题\n\n本报记者 周国新 实习生 张韵 通讯员 王先富 罗闻哲\n\n正文。")
    assert meta.reporters == ["周国新"]
    assert meta.correspondents == ["王先富", "罗闻哲"]
    assert meta.published_at is None


@pytest.mark.parametrize("make", [
    lambda n: "<div>" * (n // 11) + "全市法院受理案件123件" + "</div>" * (n // 11),
    lambda n: "<table>" + "<tr><td>中级人民法院受理案件</td><td>123</td><td>45.5%</td></tr>" * (n // 60) + "</table>",
    lambda n: "<html><body>" + "<tr><td></td><td>x</td></tr>" * (n // 30) + "</body></html>",
], ids=["nested divs", "one large table", "rows outside a table"])
def test_html_to_text_cost_grows_linearly(make, cost_growth):
    assert cost_growth(ingest.html_to_text, make, 20000) < 8


def test_html_cells_are_joined_on_their_row_and_trailing_separators_go():
    html = ("<div>a<p>b</p>c</div><table><tr><td><table><tr><td>in</td><td>2</td></tr></table></td><td>out</td></tr>"
            "</table><div><tr><td>x</td><td>" + "<td></td>" * 40 + "y</td><td></td></tr></div><!-- c -->")
    # 42 cells before y (lxml closes each <td> at the next): the old trailing-separator pattern took exponential time on such a row
    assert ingest.html_to_text(html) == "a\nb\nc\n\nin | 2\n| out\n\nx" + " |" * 42 + " y\n"


def test_only_regular_files_are_read_and_the_rest_recorded(tmp_path):
    from fazhi.core import process_files

    (tmp_path / "good.txt").write_text("2023年，全市法院受理案件1,234件。", encoding="utf-8")
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    result = process_files(sorted(tmp_path.iterdir()), tmp_path)
    assert [d["source_name"] for d in result.documents] == ["good.txt"]
    reasons = {e.source_name: e.error for e in result.errors}
    assert reasons == {"fifo.txt": "not a regular file (a FIFO); skipped unread",
                       "zero.txt": "not a regular file (a character device); skipped unread"}
