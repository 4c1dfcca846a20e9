"""The parsers against the real published files, as downloaded."""

from __future__ import annotations

import re
from typing import Any

import pycountry
import pytest

from service.importers import GROUNDS, ParsedRow
from service.importers.common import ENTRY_KEYS

DATA_ROWS = {"worldbank": 1285, "ebrd": 1322, "idb": 1081}


def by_row(rows: list[ParsedRow]) -> dict[int, dict[str, Any]]:
    return {r.row_number: r.entry for r in rows if r.entry is not None}


@pytest.mark.parametrize("fmt", sorted(DATA_ROWS))
def test_every_data_row_is_taken_or_rejected(parsed: dict[str, list[ParsedRow]], fmt: str) -> None:
    rows = parsed[fmt]
    taken = [r for r in rows if r.entry is not None]
    rejected = [r for r in rows if r.entry is None]
    assert len(taken) + len(rejected) == DATA_ROWS[fmt]
    assert all(r.error for r in rejected)
    assert all(r.error is None for r in taken)
    assert len({r.row_number for r in rows}) == len(rows)


@pytest.mark.parametrize("fmt", sorted(DATA_ROWS))
def test_entries_follow_the_contract(parsed: dict[str, list[ParsedRow]], fmt: str) -> None:
    codes = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for row in parsed[fmt]:
        entry = row.entry
        assert entry is not None
        assert tuple(entry) == ENTRY_KEYS
        assert entry["kind"] in ("company", "person")
        assert entry["name"] and entry["name"] == entry["name"].strip() and "  " not in entry["name"]
        assert entry["grounds"] and set(entry["grounds"]) <= set(GROUNDS)
        assert entry["country"] is None or entry["country"] in codes
        assert entry["name"].casefold() not in {a.casefold() for a in entry["aliases"]}
        assert len({a.casefold() for a in entry["aliases"]}) == len(entry["aliases"])
        for key in ("starts_on", "ends_on", "decided_on"):
            assert entry[key] is None or iso.match(entry[key])
        if entry["starts_on"] and entry["ends_on"]:
            assert entry["starts_on"] <= entry["ends_on"]
        assert entry["source"]["row"] == row.row_number
        assert entry["visibility"] == "public"


@pytest.mark.parametrize("fmt", sorted(DATA_ROWS))
def test_external_refs_unique_and_stable(
    parsed: dict[str, list[ParsedRow]], reparse: dict[str, list[ParsedRow]], fmt: str
) -> None:
    first = [r.entry["external_ref"] for r in parsed[fmt] if r.entry]
    second = [r.entry["external_ref"] for r in reparse[fmt] if r.entry]
    assert len(set(first)) == len(first)
    assert first == second
    prefix = {"worldbank": "WBG:", "ebrd": "EBRD:", "idb": "IDB:"}[fmt]
    assert all(ref.startswith(prefix) for ref in first)


def test_countries_all_mapped(parsed: dict[str, list[ParsedRow]]) -> None:
    wb, ebrd = by_row(parsed["worldbank"]), by_row(parsed["ebrd"])
    assert all(e["country"] for e in wb.values())
    assert all(e["country"] for e in ebrd.values())
    assert wb[7]["country"] == "XK"  # "Kosovo"


def test_worldbank_rows(parsed: dict[str, list[ParsedRow]]) -> None:
    wb = by_row(parsed["worldbank"])
    majidov = wb[4]  # MR. RUFAT MAJIDOV, *677, Obstructive Practices
    assert majidov["kind"] == "person" and majidov["name"] == "RUFAT MAJIDOV"
    assert majidov["country"] == "AZ" and majidov["grounds"] == ["obstruction"]
    assert (majidov["starts_on"], majidov["ends_on"]) == ("2024-12-10", "2027-08-09")
    assert majidov["decision_ref"] == "*677"
    assert majidov["source"]["list"].endswith("(downloaded 2025-07-01)")
    # Chinese name in Additional Firm Info, cross-debarment from ADB
    hebei = wb[20]
    assert hebei["name"] == "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED"
    assert hebei["aliases"] == ["河北建设集团股份有限公司"]
    assert hebei["source"]["originating_institution"] == "ADB" and hebei["grounds"] == ["other"]
    # "(FORMERLY KNOWN AS A2Z POWERTECH LTD.) *553" and To Date 2999-12-31 -> open-ended
    rishikesh = wb[628]
    assert rishikesh["aliases"] == ["A2Z POWERTECH LTD."] and rishikesh["ends_on"] is None
    # Guideline paragraph letters: 1.14(a)(ii) = fraudulent practice
    assert wb[758]["grounds"] == ["fraud"]
    # Name cut at 80 characters, full name in Additional Firm Info
    assert wb[562]["name"].endswith("Sanayi Ve Ticaret Limited Sirketi")
    # Alias in the name cell and a person title
    assert wb[1196]["name"] == "SATRIO BUDI HANDOKO" and wb[1196]["aliases"] == ["JOKO SESWANTO"]
    # Registration number -> identifier, validated Chinese USCC
    assert {"scheme": "cn_uscc", "value": "916501035688754161"} in wb[294]["identifiers"]


def test_ebrd_rows(parsed: dict[str, list[ParsedRow]]) -> None:
    ebrd = by_row(parsed["ebrd"])
    first = ebrd[2]  # first record after the BOM'd header; leading space in the name
    assert first["name"] == "China Gezhouba Group Co., Ltd. by Shares Nigeria Co., Ltd."
    assert first["country"] == "NG" and first["grounds"] == ["fraud"]
    assert first["source"]["originating_institution"] is None  # "EBRD" itself
    assert (first["starts_on"], first["ends_on"], first["decided_on"]) == (
        "2024-07-01",
        "2025-05-31",
        "2024-07-01",
    )
    # "European Bank for Reconstruction and Development" is the publisher too; "Türkiye"
    assert ebrd[4]["source"]["originating_institution"] is None and ebrd[4]["country"] == "TR"
    # Cross-debarment: World Bank Group, "Ongoing", no From date -> notice date
    silva = ebrd[6]
    assert silva["source"]["originating_institution"] == "WBG"
    assert silva["ends_on"] is None and silva["starts_on"] == "2017-05-31"
    assert silva["grounds"] == ["corruption"]
    # Mis-quoted CSV cell ""Supper Fortuna" LLC"
    assert ebrd[8]["name"] == "Supper Fortuna LLC"
    # "Formerly known as" in the name
    assert ebrd[133]["name"] == "Changhong Construction Group Co., Ltd."
    assert ebrd[133]["aliases"] == ["Jiangxi Changhong Horticulture Construction Co., Ltd."]
    # Bracketed acronym
    assert ebrd[286]["name"] == "Entreprise de Construction Urbaine et Rurales Sarl"
    assert ebrd[286]["aliases"] == ["ECUR"]
    # Record spanning several lines, Nationality "Indonesia\n...\nIndonesia"
    assert ebrd[1063]["name"] == "PT Ewaco Bumi Mamiri" and ebrd[1063]["country"] == "ID"
    # "SURNAME, Given" person with transliterated alias
    assert ebrd[260]["kind"] == "person" and ebrd[260]["aliases"] == ["Dung, Doan Anh"]


def test_idb_rows(parsed: dict[str, list[ParsedRow]]) -> None:
    idb = by_row(parsed["idb"])
    weihai = idb[4]  # Chinese "Other Name", AfDB cross debarment
    assert weihai["aliases"] == ["威海建设集团股份有限公司第一建筑分公司"]
    assert weihai["source"]["originating_institution"] == "AfDB" and weihai["country"] == "CN"
    assert (weihai["starts_on"], weihai["ends_on"]) == ("2022-02-17", "2024-10-18")
    shahid = idb[9]  # Individual, "Ongoing", Country "Regional"
    assert shahid["kind"] == "person" and shahid["name"] == "A K M Shahid Ullah"
    assert shahid["ends_on"] is None and shahid["country"] == "BD"
    assert idb[11]["grounds"] == ["fraud", "collusion"]
    interyer = idb[2]  # quotes and a bracketed short name
    assert interyer["name"] == "Interyer Inşaat Məhdud Məsuliyyətli Cəmiyyəti"
    assert (
        interyer["aliases"] == ["Interyer Inşaat"] and interyer["source"]["originating_institution"] == "WBG"
    )
    # Chinese other names with stray spaces, several in one cell
    assert idb[37]["aliases"] == ["阿克苏地矿建设工程有限公司"]
    assert set(idb[1055]["aliases"]) >= {"XCCG", "新疆交通建设集团股份有限公司", "新疆交建"}
    listings = {e["listing"] for e in idb.values()}
    assert listings == {"debarred", "flagged"}
    own = [e for e in idb.values() if e["source"]["originating_institution"] is None]
    assert len(own) == 189
