"""Driving an export job the way an officer does: the button, the progress page, the file."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.workbook import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def start_export(client, capture, url: str, data: dict | None = None) -> str:
    """Presses an export button (the task runs eagerly on commit); returns the progress page's URL."""
    with capture(execute=True):
        response = client.post(url, data or {})
    assert response.status_code == 302, response
    assert "/admin/consortia/export/" in response["Location"]
    return response["Location"]


def download(client, status_url: str) -> Workbook:
    page = client.get(status_url)
    assert page.status_code == 200 and "export-download" in page.content.decode()
    response = client.get(status_url + "download/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def export_workbook(client, capture, url: str, data: dict | None = None) -> Workbook:
    return download(client, start_export(client, capture, url, data))


def rows(ws) -> list[tuple]:
    """A sheet's data rows (the header skipped)."""
    return list(ws.iter_rows(min_row=2, values_only=True))
