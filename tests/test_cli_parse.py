"""`ogi parse`: the review view, JSON lines in input order, exit codes, many files on every core."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from transforms.cli import main

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SEED_000 = SEEDS / "000_0126e23b7202ee31.txt"
SEED_002 = SEEDS / "002_1bf9cee3deb4981e.txt"


def test_review_view_shows_tables_codes_repairs_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(SEED_000)]) == 0
    out = capsys.readouterr().out
    assert "状态 status: repaired" in out
    assert "模板 template: 2021" in out
    assert "表三 收到和处理政府信息公开申请情况 (applications)" in out
    assert "(new_received)" in out and "自然人" in out
    line = next(x for x in out.splitlines() if "(new_received)" in x)
    assert line.split()[-7:] == ["6*", "0", "0", "0", "0", "0", "6"]
    assert "* 文本中缺失、由规则唯一推出的单元格" in out
    assert "行政复议 (review)" in out
    assert "all held" in out


def test_review_view_states_violations_in_plain_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(SEED_002.read_text(encoding="utf-8").replace("四、结转下年度继续办理 |\n2 |", "四、结转下年度继续办理 |\n3 |"), encoding="utf-8")
    assert main(["parse", str(bad)]) == 0  # a report that breaks a rule still parsed
    out = capsys.readouterr().out
    assert "违反规则 violations (2):" in out
    assert "A3 自然人 (natural_person)列: 一+二 = 334, 但 (七)总计+四 = 335" in out
    assert "A1 四、结转下年度继续办理 (carried_forward)行: 总计 = 2, 但各类申请人之和 = 3" in out


def test_json_lines_in_input_order_and_exit_1_on_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "image.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    files = [str(SEED_002), str(png), str(tmp_path / "missing.txt"), str(SEED_000)]
    assert main(["parse", "--json", *files]) == 1
    lines = capsys.readouterr().out.splitlines()
    got = [json.loads(x) for x in lines]
    assert [g["source"] for g in got] == files
    assert [g["status"] for g in got] == ["ok", "rejected", "rejected", "repaired"]
    assert got[1]["error"] == "binary file (PNG image), not a report"
    assert got[2]["error"].startswith("cannot read file")
    assert "二七区" in lines[0]  # ensure_ascii=False: Chinese as is


def test_usage_error_exits_2() -> None:
    proc = subprocess.run([str(Path(sys.executable).parent / "ogi"), "parse"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "FILE" in proc.stderr


def test_many_files_use_a_process_pool_and_keep_order(tmp_path: Path) -> None:
    files = []
    for i in range(60):
        src = [SEED_000, SEED_002][i % 2]
        dst = tmp_path / f"r{i:03d}.txt"
        shutil.copy(src, dst)
        files.append(str(dst))
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ogi"), "parse", "--json", "--jobs", "2", *files],
        capture_output=True,
        text=True,
    )
    got = [json.loads(x) for x in proc.stdout.splitlines()]
    failed = [(g["source"], g["status"], g["error"]) for g in got if g["status"] not in ("ok", "repaired")]
    assert proc.returncode == 0, (proc.stderr, failed)
    assert [g["source"] for g in got] == files
    assert [g["status"] for g in got] == ["repaired", "ok"] * 30


def test_a_folder_stands_for_its_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "b").mkdir()
    shutil.copy(SEED_002, tmp_path / "b" / "two.txt")
    shutil.copy(SEED_000, tmp_path / "one.txt")
    (tmp_path / ".hidden").write_text("x")
    assert main(["parse", "--json", str(tmp_path)]) == 0
    got = [json.loads(x)["source"] for x in capsys.readouterr().out.splitlines()]
    assert got == [str(tmp_path / "one.txt"), str(tmp_path / "b" / "two.txt")]
