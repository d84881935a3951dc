"""``consent-gateway evidence snapshot|pack``: screenshots in Chromium, once per banner version,
then the pack written to a zip whose manifest matches; a clear message without Playwright."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner
from evidence_support import config_files, open_pack

from consent_gateway.cli import main


def evidence(settings, *args: str):
    env = {"CONSENT_GATEWAY_DATABASE_URL": settings.database_url,
           "CONSENT_GATEWAY_SITES": str(settings.sites_path),
           "CONSENT_GATEWAY_INSTANCE_PATH": str(settings.instance_path),
           "CONSENT_GATEWAY_SECRET_KEYS": ",".join(settings.secret_keys),
           "CONSENT_GATEWAY_PII_KEYS": ",".join(settings.pii_keys),
           "CONSENT_GATEWAY_RECEIPT_KEYS": ",".join(settings.receipt_keys)}
    return CliRunner().invoke(main, ["evidence", *args], env=env)


@pytest.mark.chromium
def test_snapshot_pictures_each_version_once_and_the_pack_holds_them(app, client, settings, tmp_path,
                                                                     capfd):
    client.get("/api/v1/sites/demo/banner?lang=fr")
    client.get("/api/v1/sites/demo/banner?lang=en")
    capfd.readouterr()
    first = evidence(settings, "snapshot")
    assert first.exit_code == 0, first.output
    # One line for the operator: the temporary server's page loads are not traffic to log.
    assert first.output.splitlines() == [
        "pictured 2 configuration(s) (4 screenshots each); 0 could not be re-rendered (no longer current)"]
    printed = capfd.readouterr()
    assert '"event": "request"' not in printed.err + printed.out
    assert '"GET /' not in printed.err + printed.out  # nor the development server's access lines
    again = evidence(settings, "snapshot")
    assert again.exit_code == 0
    assert again.output.strip() == "every banner configuration served is already pictured"

    out = tmp_path / "pack.zip"
    packed = evidence(settings, "pack", "--site", "demo", "--out", str(out))
    assert packed.exit_code == 0, packed.output
    archive, manifest = open_pack(out.read_bytes())
    pictures = config_files(archive)
    assert len(pictures) == 2 and all(len(files) == 4 for files in pictures.values())
    assert {"privacy-notice/fr.html", "privacy-notice/en.html"} <= set(archive.namelist())


def test_pack_refuses_an_undeclared_site(settings, app, tmp_path):
    answer = evidence(settings, "pack", "--site", "nowhere", "--out", str(tmp_path / "x.zip"))
    assert answer.exit_code != 0 and "no site 'nowhere'" in answer.output


def test_snapshot_without_playwright_says_which_extra_to_install(settings, app, client, monkeypatch):
    client.get("/api/v1/sites/demo/banner?lang=fr")
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    answer = evidence(settings, "snapshot")
    assert answer.exit_code == 1
    assert "consent-gateway[evidence]" in answer.output
