"""Preflight: whether Prefect's settings files may name an API, decided without importing Prefect."""
from __future__ import annotations

import pytest

from fazhi.preflight import _may_set_api_url

URL = 'PREFECT_API_URL = "http://127.0.0.1:4200/api"'


@pytest.mark.parametrize("files, profile, may", [
    ({}, None, False),  # nothing written: Prefect's default profile names no API
    ({}, 'active = "mine"\n[profiles.mine]\nPREFECT_LOGGING_LEVEL = "INFO"\n', False),
    ({}, f'active = "mine"\n[profiles.mine]\n{URL}\n', True),
    ({}, f'active = "plain"\n[profiles.plain]\n[profiles.other]\n{URL}\n', False),
    ({}, 'active = "local"\n', True),  # a profile only Prefect's defaults define: unsure
    ({}, "this is [not toml", True),
    ({".env": "PREFECT_API_URL=http://127.0.0.1:4200/api\n"}, None, True),
    ({".env": "OTHER=1\n"}, None, False),
    ({"prefect.toml": "[api]\n"}, None, True),
    ({"pyproject.toml": "[tool.prefect.api]\nurl = 'x'\n"}, None, True),
    ({"pyproject.toml": "[project]\nname = 'x'\n"}, None, False),
])
def test_an_api_url_is_ruled_out_only_when_no_settings_file_can_name_one(files, profile, may, tmp_path,
                                                                         monkeypatch):
    home = tmp_path / "prefect-home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    for name, text in files.items():
        (work / name).write_text(text, encoding="utf-8")
    if profile is not None:
        (home / "profiles.toml").write_text(profile, encoding="utf-8")
    monkeypatch.chdir(work)
    monkeypatch.setenv("PREFECT_HOME", str(home))
    for name in ("PREFECT_PROFILES_PATH", "PREFECT_PROFILE", "PREFECT_API_URL"):
        monkeypatch.delenv(name, raising=False)
    assert _may_set_api_url() is may


def test_the_profile_named_in_the_environment_is_the_one_read(tmp_path, monkeypatch):
    profiles = tmp_path / "profiles.toml"
    profiles.write_text(f'active = "plain"\n[profiles.plain]\n[profiles.server]\n{URL}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(profiles))
    monkeypatch.setenv("PREFECT_PROFILE", "server")
    assert _may_set_api_url() is True
    monkeypatch.setenv("PREFECT_PROFILE", "plain")
    assert _may_set_api_url() is False


@pytest.mark.parametrize("change, files, changed, unchanged", [
    (None, 5, 0, True),  # the sample, loaded as it is
    ("grow", 5, 1, False),  # a file whose size changed
    ("add", 6, 1, False),
    ("no warehouse", 5, 5, False),
    ("empty folder", 0, 0, False),  # nothing to compare: not called unchanged
])
def test_the_outlook_counts_the_files_a_run_would_work_on(change, files, changed, unchanged, sample_warehouse,
                                                          sample_copy, tmp_path):
    from fazhi.preflight import outlook

    warehouse = tmp_path / "missing.duckdb" if change == "no warehouse" else sample_warehouse
    first = sorted(sample_copy.iterdir())[0]
    if change == "grow":
        first.write_bytes(first.read_bytes() + "。".encode())
    elif change == "add":
        (sample_copy / "new.txt").write_text("2020年受理案件57876件。", encoding="utf-8")
    elif change == "empty folder":
        for path in sample_copy.iterdir():
            path.unlink()
    likely = outlook(sample_copy, warehouse)
    assert (likely.files, likely.changed, likely.unchanged) == (files, changed, unchanged)
