"""The project file: the demo's loads; a wrong key, type or value fails at load naming the key, value and what is
allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alignkit.config import find_project_file, load_settings
from alignkit.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((REPO / "alignkit.yml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "alignkit.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_demo_project_file_loads_into_typed_settings():
    settings = load_settings(REPO / "alignkit.yml")
    assert settings.funnel.stage_names == ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"]
    assert settings.sla.mql_to_first_touch_hours == 24
    assert settings.root == REPO and settings.raw_path("x.csv") == REPO / "data/raw/x.csv"
    assert settings.public_summary()["privacy"]["salt"] == "***"


def test_a_misspelt_key_names_the_key_and_the_close_match(tmp_path):
    path = write_variant(tmp_path, lambda d: d["sla"].update({"mql_to_first_touch_hour": 12}))
    with pytest.raises(
        ConfigError, match=r"sla\.mql_to_first_touch_hour: unknown key.*Did you mean 'mql_to_first_touch_hours'"
    ):
        load_settings(path)


def test_a_wrong_value_names_the_key_the_value_and_what_is_allowed(tmp_path):
    path = write_variant(tmp_path, lambda d: d["survey"].update({"format": "typeform"}))
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    message = str(error.value)
    assert "survey.format" in message and "'typeform'" in message and "qualtrics" in message


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    def break_twice(data):
        data["privacy"]["min_group_size"] = 0
        data["funnel"]["mql_stage"] = "Marketing Qualified"

    with pytest.raises(ConfigError) as error:
        load_settings(write_variant(tmp_path, break_twice))
    message = str(error.value)
    assert "2 problem(s)" in message and "privacy.min_group_size" in message and "'Marketing Qualified'" in message


def test_missing_file_and_non_mapping_are_clear(tmp_path):
    with pytest.raises(ConfigError, match=r"project file not found.*alignkit init"):
        load_settings(tmp_path / "nope.yml")
    (tmp_path / "alignkit.yml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_settings(tmp_path)


def test_the_project_file_is_found_from_a_notebook_folder(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "alignkit.yml").write_text("x: 1\n", encoding="utf-8")
    assert find_project_file(tmp_path / "notebooks") == tmp_path / "alignkit.yml"


def test_the_salt_comes_from_the_environment_first(monkeypatch):
    settings = load_settings(REPO / "alignkit.yml")
    monkeypatch.setenv("ALIGNKIT_SALT", "from-env")
    assert settings.pseudonym_salt() == "from-env"
    monkeypatch.delenv("ALIGNKIT_SALT")
    assert settings.pseudonym_salt() == "demo-salt-not-secret"


def test_a_sales_capacity_of_zero_is_refused_and_unset_means_no_threshold(tmp_path):
    data = yaml.safe_load((REPO / "alignkit.yml").read_text(encoding="utf-8"))
    data["sla"]["sales_capacity_per_week"] = 0
    path = tmp_path / "alignkit.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sla\.sales_capacity_per_week"):
        load_settings(path)
    del data["sla"]["sales_capacity_per_week"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_settings(path).sla.sales_capacity_per_week is None
