"""Cleaning helpers and the JSONL format on small synthetic input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from service.importers import parse_file
from service.importers.common import RefMaker, RowError, clean, parse_date, strip_quotes
from service.importers.countries import country_code, split_countries
from service.importers.grounds import map_grounds
from service.importers.names import identifier_from, looks_like_person, parse_extra_info, parse_name


def test_clean_and_quotes() -> None:
    assert clean("\ufeff  ACME\u00a0 Ltd.\n\n ") == "ACME Ltd."
    assert strip_quotes('Supper Fortuna" LLC"') == "Supper Fortuna LLC"
    assert strip_quotes("LLC “CONMARKS”") == "LLC CONMARKS"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-01T12:00:59Z", date(2024, 7, 1)),
        ("Jul 03, 2024", date(2024, 7, 3)),
        ("2024-12-10", date(2024, 12, 10)),
        (date(2020, 1, 2), date(2020, 1, 2)),
        ("Ongoing", None),
        ("Permanent", None),
        ("Indefinite", None),
        ("2999-12-31", None),
        ("", None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value, field="To", open_ended_ok=True) == expected


def test_parse_date_errors() -> None:
    with pytest.raises(RowError, match="not a date"):
        parse_date("31/31/2020", field="From")
    with pytest.raises(RowError):
        parse_date("Ongoing", field="From")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("People's Republic of China", "CN"),
        ("Peoples Republic of China", "CN"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Kosovo", "XK"),
        ("Democratic Republic of Congo", "CD"),
        ("Congo, Democratic Republic of", "CD"),
        ("Côte d’Ivoire", "CI"),
        ("Russian Federation", "RU"),
        ("Viet Nam", "VN"),
        ("Korea, Republic of", "KR"),
        ("Hong Kong SAR, China", "HK"),
        ("Sri Lanca", "LK"),
        ("Kyrgz Republic", "KG"),
        ("Regional", None),
    ],
)
def test_country_code(name: str, code: str | None) -> None:
    assert country_code(name) == code


def test_split_countries() -> None:
    assert split_countries("Kenya, United Republic of Tanzania, Zambia") == [
        "Kenya",
        "United Republic of Tanzania",
        "Zambia",
    ]
    assert split_countries("Korea, Republic of") == ["Korea, Republic of"]
    assert split_countries("Indonesia\n\n\nIndonesia") == ["Indonesia"]
    assert country_code("Atlantis") is None


@pytest.mark.parametrize(
    ("raw", "name", "aliases"),
    [
        ("ACME Ltd. (ACL)", "ACME Ltd.", ["ACL"]),
        ("Foo Bar Limited (formerly known as Baz Limited)", "Foo Bar Limited", ["Baz Limited"]),
        ("Ecograph LLC aka Ecography Company", "Ecograph LLC", ["Ecography Company"]),
        ("Foo Co., Ltd. f/k/a Bar Co., Ltd.", "Foo Co., Ltd.", ["Bar Co., Ltd."]),
        ("Foo LLC (d/b/a Foo Trading)", "Foo LLC", ["Foo Trading"]),
        ("Modern Servis MMC/Modern Serviz MMC", "Modern Servis MMC", ["Modern Serviz MMC"]),
        ("Emmyways Engineering/Construction Limited", "Emmyways Engineering/Construction Limited", []),
        ("NISHAN ENGINEERS (PVT) LIMITED", "NISHAN ENGINEERS (PVT) LIMITED", []),
        ("Construtora OAS LLC (Qatar)", "Construtora OAS LLC (Qatar)", []),
        ("Acme (“Acme Short”) Holdings", "Acme Holdings", ["Acme Short"]),
        ("Africa Railways Logistics Limited (", "Africa Railways Logistics Limited", []),
    ],
)
def test_parse_name(raw: str, name: str, aliases: list[str]) -> None:
    parts = parse_name(raw)
    assert parts.name == name
    assert parts.aliases == aliases


def test_parse_name_location_qualifier_from_address() -> None:
    parts = parse_name("UralKotloService PKF ZAO (Tambov)", address="Sovetskaya St, Tambov, Russia")
    assert parts.name == "UralKotloService PKF ZAO (Tambov)" and parts.aliases == []


def test_parse_name_notes_and_ids() -> None:
    parts = parse_name("Egis Water (but only for its water business) (CNPJ: 20.182.043/0001-42)")
    assert parts.name == "Egis Water"
    assert parts.notes == ["but only for its water business"]
    assert parts.identifiers == [{"scheme": "br_cnpj", "value": "20182043000142"}]


def test_extra_info() -> None:
    parts = parse_name("FOUNDER INTERNATIONAL (BEIJING) CO., LTD.")
    markers = parse_extra_info("(方正国际软件（北京）有限公司)(Tax ID: 91110108801144696L) *536", parts)
    assert markers == ["*536"]
    assert parts.aliases == ["方正国际软件（北京）有限公司"]
    assert parts.identifiers == [{"scheme": "cn_uscc", "value": "91110108801144696L"}]
    parts = parse_name("X")
    assert parse_extra_info("* 43 and 45", parts) == ["*43", "*45"]
    assert identifier_from("TIN No. 304332224") == {"scheme": "tax_id", "value": "304332224"}


@pytest.mark.parametrize(
    ("raw", "person"),
    [
        ("MR. RUFAT MAJIDOV", True),
        ("DŨNG, Đoàn Anh (Dung, Doan Anh)", True),
        ("JUAN JOSÉ ACOSTA GONZÁLEZ", False),  # conservative: no clear sign
        ("M/S UDAY PRATAP SHARMA", False),
        ("Mr. Smith Construction Ltd.", False),
    ],
)
def test_person_heuristic(raw: str, person: bool) -> None:
    assert looks_like_person(parse_name(raw), raw) is person


def test_grounds() -> None:
    assert map_grounds("Procurement Guidelines, 1.16(a)(ii), (iii)") == ["fraud", "collusion"]
    assert map_grounds("Consultant Guidelines 1.25(a)(i) & (ii)") == ["corruption", "fraud"]
    assert map_grounds(" Fraud, Collusion") == ["fraud", "collusion"]
    assert map_grounds("Corrupt/ Collusive Practices") == ["corruption", "collusion"]
    assert map_grounds("Cross Debarment: ADB") == ["other"]
    assert map_grounds("IFC Anti-Corruption Guidelines") == ["other"]
    assert map_grounds(None) == ["other"]


def test_ref_maker_disambiguates_deterministically() -> None:
    refs = RefMaker("WBG")
    a = refs.make("ACME Ltd", "GB", "2020-01-01")
    b = refs.make("ACME  LTD", "GB", "2020-01-01")
    c = refs.make("ACME Ltd", "GB", "2021-01-01")
    assert b == f"{a}:2" and c != a
    assert RefMaker("WBG").make("ACME Ltd", "GB", "2020-01-01") == a


def test_parse_file_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        parse_file(tmp_path / "x", "csv")


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines = [
        json.dumps({"name": "  ACME  Ltd ", "country": "gb", "id": 7, "aliases": ["ACME", "ACME Ltd"]}),
        "",
        "[1, 2]",
        "{not json",
        json.dumps({"kind": "company"}),
        json.dumps({"name": "X", "kind": "robot"}),
        json.dumps({"name": "X", "country": "QQ"}),
        json.dumps({"name": "X", "grounds": ["theft"]}),
        json.dumps({"name": "X", "starts_on": "2020-05-01", "ends_on": "2020-01-01"}),
        json.dumps({"name": "Y", "kind": "person", "external_ref": "WBG:abc", "grounds": ["fraud"]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(parse_file(path, "jsonl"))
    assert [r.row_number for r in rows] == [1, 3, 4, 5, 6, 7, 8, 9, 10]
    first = rows[0].entry
    assert first is not None
    assert first["name"] == "ACME Ltd" and first["kind"] == "company" and first["country"] == "GB"
    assert first["aliases"] == ["ACME"] and "id" not in first and first["grounds"] == ["other"]
    assert first["external_ref"].startswith("JSONL:")
    errors = [r.error for r in rows[1:-1]]
    assert all(r.entry is None for r in rows[1:-1])
    assert "expected a JSON object" in str(errors[0])
    assert "not valid JSON" in str(errors[1])
    assert "'name' is required" in str(errors[2])
    assert "'kind'" in str(errors[3])
    assert "'country'" in str(errors[4])
    assert "'grounds'" in str(errors[5])
    assert "before" in str(errors[6])
    last = rows[-1].entry
    assert last is not None and last["external_ref"] == "WBG:abc" and last["kind"] == "person"
