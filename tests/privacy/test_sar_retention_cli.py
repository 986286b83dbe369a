"""Subject access and retention from the command line: find everything about a person, export it with the
request's reference recorded, list what is past its date, purge it with a reason."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from commmatters_desktop import cli
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.enums import Channel, PersonRole
from commmatters_desktop.core.models import SaraPlan, WardRole
from commmatters_desktop.core.services import common, engagement, people, priorities, wards
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import Vault


def run(clock: FixedClock, *args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run([str(a) for a in args], out=out, err=err, clock=clock, stdin_is_tty=False)
    return code, out.getvalue(), err.getvalue()


def plant(vault: Vault) -> Path:
    with vault.unit_of_work() as s:
        ward = wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
        member = people.create_person(s, full_name="Siobhan Kerrigan", role=PersonRole.PANEL_MEMBER,
                                      phone="07700 900321")  # fmt: skip
        people.assign(s, ward=ward, person=member, role=PersonRole.PANEL_MEMBER)
        engagement.nominate(s, ward=ward, wording="Mrs Kerrigan says the lights are out", channel=Channel.PANEL,
                            cycle="2026-Q4")  # fmt: skip
        p = priorities.propose(s, ward=ward, title="Street lighting", cycle="2026-Q4")
        s.flush()
        s.add(
            SaraPlan(
                priority_id=p.id, victim="siobhan kerrigan, twice", causes="Kerrigan, Siobhan saw it first"
            )
        )
    folder = vault.folder
    vault.close()
    return folder


def test_subject_access_as_pdf_and_csv(vault: Vault, clock: FixedClock, tmp_path: Path) -> None:
    folder = plant(vault)
    code, _, err = run(
        clock, "--data-dir", folder, "sar", "--name", "Siobhan Kerrigan", "--out", tmp_path / "a.pdf"
    )
    assert code == 1 and "reference" in err  # a reason is required
    code, out, _ = run(clock, "--data-dir", folder, "sar", "--name", "Siobhan Kerrigan", "--out",
                       tmp_path / "a.pdf", "--reason", "SAR-2026-041")  # fmt: skip
    assert code == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(tmp_path / "a.pdf").pages).split())
    for expected in ("07700 900321", "Mrs Kerrigan says the lights are out", "siobhan kerrigan, twice",
                     "Panel member", "SAR-2026-041", "Kerrigan, Siobhan saw it first",
                     "Mentioned in officers' notes"):  # fmt: skip
        assert expected in text, expected
    code, _, _ = run(clock, "--data-dir", folder, "sar", "--name", "siobhan kerrigan", "--out",
                     tmp_path / "a.csv", "--reason", "SAR-2026-041")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8-sig"))))
    assert {r["field"] for r in rows} >= {"full_name", "phone", "wording", "victim", "role"}
    code, out, _ = run(clock, "--data-dir", folder, "audit", "list", "--json")
    events = json.loads(out)
    assert any(e["action"] == "subject access export" and "SAR-2026-041" in e["summary"] for e in events)
    assert all("Kerrigan" not in e["summary"] for e in events)  # the trail names the request, not the person


def test_retention_review_and_purge(vault: Vault, clock: FixedClock) -> None:
    folder = plant(vault)
    code, out, _ = run(clock, "--data-dir", folder, "retention", "--json")
    report = json.loads(out)
    assert {r["rule"] for r in report["rules"]} == {"panel", "kin", "resident", "sara", "wording", "other"}
    assert report["due"] == []
    with Vault.open(folder, keystore=KeyringStore(), clock=clock) as reopened, reopened.unit_of_work() as s:
        for role in s.scalars(select(WardRole)):
            common.tombstone(s, role)
        plan = s.scalars(select(SaraPlan)).one()
        plan.priority.closed_on = clock.today()
    clock.advance(days=500)
    code, out, _ = run(clock, "--data-dir", folder, "retention")
    assert code == 0 and "Kerrigan" not in out, out
    assert "3 records past their date" in out, out
    code, _, err = run(clock, "--data-dir", folder, "purge", "--due")
    assert code == 1 and "reason" in err
    code, out, _ = run(clock, "--data-dir", folder, "purge", "--due", "--reason", "Retention review Q1")
    assert code == 0 and "Purged personal data from 3 records" in out
    code, out, _ = run(clock, "--data-dir", folder, "retention", "--json")
    assert json.loads(out)["due"] == []
    code, out, _ = run(clock, "--data-dir", folder, "sar", "--name", "Siobhan Kerrigan", "--out",
                       folder.parent / "after.csv", "--reason", "SAR-2027-002")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO((folder.parent / "after.csv").read_text(encoding="utf-8-sig"))))
    assert [r for r in rows if r["section"] == "Personal data"] == []
