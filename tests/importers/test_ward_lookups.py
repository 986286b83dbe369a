"""ONS ward lookups as they arrive: any vintage, any header case, BOMs, CRLF, Excel's Latin-1."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services import wards
from commmatters_desktop.importers.ons_wards import apply_ward_lookup, read_ward_lookup
from commmatters_desktop.storage.vault import Vault
from tests.conftest import GM_BOROUGHS, GM_LSOAS, GM_WARDS


def write(tmp_path: Path, data: bytes, name: str = "wards.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_greater_manchester_lookup_imports_as_is() -> None:
    lookup = read_ward_lookup(GM_WARDS)
    assert lookup.vintage == "WD22" and len(lookup.wards) == 215
    names = {w.name for _, w in lookup.wards}
    assert "Littleborough Lakeside" in names
    # Names with commas in quotes survive.
    assert any("," in n or "&" in n for n in names)
    assert {w.la_name for _, w in lookup.wards} == GM_BOROUGHS


def test_the_lsoa_lookup_links_every_lsoa_to_its_ward() -> None:
    lookup = read_ward_lookup(GM_LSOAS)
    assert len(lookup.wards) == 215
    assert sum(len(v) for v in lookup.lsoas.values()) == 1702


@pytest.mark.parametrize(
    "header",
    [
        "WD23CD,WD23NM,LAD23CD,LAD23NM",
        "wd19cd,wd19nm,lad19cd,lad19nm",
        "Wd22Cd , WD22NM,LAD22CD,LAD22NM,FID,extra",
    ],
)
def test_any_vintage_case_and_extra_columns(tmp_path: Path, header: str) -> None:
    extra = ",1,x" if header.endswith("extra") else ""
    path = write(tmp_path, f"{header}\nE05000650,Astley Bridge,E08000001,Bolton{extra}\n".encode())
    lookup = read_ward_lookup(path)
    ((_, ward),) = lookup.wards
    assert (ward.code, ward.name, ward.la_code, ward.la_name) == (
        "E05000650",
        "Astley Bridge",
        "E08000001",
        "Bolton",
    )
    assert lookup.vintage == "WD" + header.strip()[2:4]


def test_a_bom_crlf_and_latin_1_bytes_are_read_correctly(tmp_path: Path) -> None:
    text = (
        "WD22CD,WD22NM,LAD22CD,LAD22NM\r\n"
        "W05000001,Aberffraw,W06000001,Ynys Môn\r\n"
        "\r\n"
        'E05000650,"Łódź Street, East",E08000001,Bolton\r\n'
    )
    for data in (
        codecs.BOM_UTF8 + text.encode("utf-8"),
        text.encode("utf-16"),
    ):
        lookup = read_ward_lookup(write(tmp_path, data))
        assert [w.la_name for _, w in lookup.wards] == ["Ynys Môn", "Bolton"]
        assert lookup.wards[1][1].name == "Łódź Street, East"
    latin = text.replace("Łódź Street", "Caerwys").encode("cp1252")
    lookup = read_ward_lookup(write(tmp_path, latin))
    assert lookup.wards[0][1].la_name == "Ynys Môn"


def test_missing_columns_are_named_and_nothing_is_imported(tmp_path: Path, vault: Vault) -> None:
    path = write(tmp_path, b"ward,borough\nAstley Bridge,Bolton\n")
    with pytest.raises(UserError) as refused:
        read_ward_lookup(path)
    assert refused.value.message == (
        "wards.csv has no ward code (WDyyCD) and ward name (WDyyNM) column, so it is not an ONS ward lookup "
        "(its columns are: ward, borough). Nothing was imported."
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"WD22CD,WD22NM\n", "has a header but no wards"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text CSV file"),
    ],
)
def test_empty_and_binary_files_are_refused_clearly(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(UserError, match=message):
        read_ward_lookup(write(tmp_path, data))


def test_a_missing_file_or_a_folder_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="There is no file at"):
        read_ward_lookup(tmp_path / "nope.csv")
    with pytest.raises(UserError, match="is a folder"):
        read_ward_lookup(tmp_path)


def test_bad_rows_are_reported_by_line_and_good_rows_still_import(tmp_path: Path, vault: Vault) -> None:
    path = write(
        tmp_path,
        b"WD22CD,WD22NM,LAD22CD,LAD22NM\nE05000650,Astley Bridge,E08000001,Bolton\n"
        b"XX1,Nowhere,E08000001,Bolton\n\nE05000651,,E08000001,Bolton\nE05000652,Breightmet,E08000001,Bolton\n",
    )
    with vault.unit_of_work() as s:
        summary = apply_ward_lookup(s, read_ward_lookup(path))
    assert (summary.added, summary.skipped) == (
        2,
        [
            (3, "'XX1' is not an ONS ward code: it should be a letter and eight digits, like E05000650."),
            (5, "the ward name is empty"),
        ],
    )


def test_reimporting_changes_nothing_and_a_renamed_ward_is_updated(tmp_path: Path, vault: Vault) -> None:
    with vault.unit_of_work() as s:
        first = apply_ward_lookup(s, read_ward_lookup(GM_WARDS))
    with vault.unit_of_work() as s:
        second = apply_ward_lookup(s, read_ward_lookup(GM_WARDS))
    assert (first.added, second.added, second.unchanged, second.updated) == (215, 0, 215, 0)
    renamed = write(
        tmp_path, b"WD23CD,WD23NM,LAD23CD,LAD23NM\nE05000650,Astley Bridge North,E08000001,Bolton\n"
    )
    with vault.unit_of_work() as s:
        third = apply_ward_lookup(s, read_ward_lookup(renamed))
        ward = wards.ward_by_code(s, "E05000650")
        assert ward is not None and (ward.name, ward.vintage) == ("Astley Bridge North", "WD23")
    assert third.updated == 1


def test_an_unbalanced_quote_in_a_ward_lookup_is_reported_and_not_imported(
    tmp_path: Path, vault: Vault
) -> None:
    """The same shared reader guards every CSV importer."""
    path = tmp_path / "wards.csv"
    path.write_text(
        "WD22CD,WD22NM,LAD22CD,LAD22NM\n"
        'E05000650,"Astley Bridge,E08000001,Bolton\n'
        "E05000651,Bradshaw,E08000001,Bolton\n"
        'E05000652,Breightmet",E08000001,Bolton\n'
        "E05000653,Bromley Cross,E08000001,Bolton\n"
    )
    lookup = read_ward_lookup(path)
    with vault.unit_of_work() as s:
        summary = apply_ward_lookup(s, lookup)
    assert summary.added == 1
    ((line, reason),) = summary.skipped
    assert line == 2 and "not closed" in reason
