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
