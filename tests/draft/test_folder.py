"""`alignkit init` makes its folder all or nothing, and says a refused export's fix as a command-line option."""

from __future__ import annotations

from alignkit.draft.folder import move_into_place, refused_message
from alignkit.errors import ConfigError, InputFileError


def test_a_new_folder_is_moved_whole(tmp_path):
    draft = tmp_path / ".proj.draft"
    (draft / "data").mkdir(parents=True)
    (draft / "alignkit.yml").write_text("a")
    move_into_place(draft, tmp_path / "proj")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]
    assert (tmp_path / "proj" / "alignkit.yml").read_text() == "a" and (tmp_path / "proj" / "data").is_dir()


def test_an_existing_folder_keeps_its_other_files(tmp_path):
    (tmp_path / "proj" / "data" / "raw").mkdir(parents=True)
    (tmp_path / "proj" / "data" / "raw" / "leads.csv").write_text("id\n1\n")
    (tmp_path / "proj" / "alignkit.yml").write_text("old")
    draft = tmp_path / ".proj.draft"
    (draft / "data" / "raw").mkdir(parents=True)
    (draft / "data" / "raw" / "README.md").write_text("put exports here")
    (draft / "alignkit.yml").write_text("new")
    move_into_place(draft, tmp_path / "proj")
    assert (tmp_path / "proj" / "data" / "raw" / "leads.csv").read_text() == "id\n1\n"
    assert (tmp_path / "proj" / "data" / "raw" / "README.md").exists()
    assert (tmp_path / "proj" / "alignkit.yml").read_text() == "new"


def test_a_refused_export_names_the_option_to_add():
    error = InputFileError(
        "in/leads.csv",
        "is not valid utf-8 text.",
        fix="set `encoding: cp1252` for this input in alignkit.yml",
        setting=("encoding", "cp1252"),
    )
    assert refused_message(error, ["alignkit", "init", "my proj", "--from", "in"]) == (
        "in/leads.csv: is not valid utf-8 text. Fix: run `alignkit init 'my proj' --from in --encoding cp1252` (it "
        "decodes the file), or export the file again as UTF-8. Nothing was written."
    )


def test_a_fix_naming_the_file_key_names_the_from_option():
    error = InputFileError("in/a.zip", "holds 2 files.", fix="unpack it and point `file:` at the export inside")
    assert refused_message(error, ["alignkit", "init", "p", "--from", "in"]) == (
        "in/a.zip: holds 2 files. Fix: unpack it and name the export inside after --from. Nothing was written."
    )
    assert refused_message(ConfigError("bad."), ["alignkit", "init"]) == "bad. Nothing was written."
