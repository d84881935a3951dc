"""Size of the banner (script and styles are one file) gzipped, next to the 8 KB bar (docs/development.md).

    make banner && .venv/bin/python bench/banner_size.py

Reads the build in static/banner/dist; the gzip figure is the precompressed file the gateway
serves (level 9), cross-checked by compressing the script again here. The per-site script of the
demo site (/banner/v1/sites/demo/consent.js: its configuration in both languages, then the
generic script) is built here exactly as the gateway builds it, and gzipped the same way.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from consent_gateway.declaration import load_sites
from consent_gateway.settings import DEVELOPMENT_PUBLIC_URL, PROJECT_ROOT
from consent_gateway.web.visitor.banner import site_script_bytes

DIST = Path(__file__).resolve().parent.parent / "static" / "banner" / "dist"
BAR = 8 * 1024
REFERENCE = 15 * 1024  # the lightest full-featured open-source banner today, gzipped


def main() -> int:
    script = DIST / "consent.js"
    if not script.exists():
        print("the banner is not built: run `make banner`", file=sys.stderr)
        return 1
    raw = script.read_bytes()
    served = (DIST / "consent.js.gz").read_bytes()
    assert gzip.decompress(served) == raw, "consent.js.gz does not match consent.js"
    brotli = (DIST / "consent.js.br").stat().st_size if (DIST / "consent.js.br").exists() else None
    manifest = json.loads((DIST / "manifest.json").read_text())
    print(f"banner bundle {manifest['file']} (script + CSS in one file)")
    print(f"  minified     {len(raw):>6} B")
    print(f"  gzip (served){len(served):>6} B   bar {BAR} B (8 KB): "
          f"{'PASS' if len(served) <= BAR else 'FAIL'} ({len(served) / BAR:.0%} of the bar)")
    if brotli is not None:
        print(f"  brotli       {brotli:>6} B")
    print(f"  reference: lightest full-featured open-source banner ~{REFERENCE} B gzip")
    extra = b""
    if "extra" in manifest:
        extra = (DIST / manifest["extra"]["file"]).read_bytes()
        extra_gz = len(gzip.compress(extra, compresslevel=9, mtime=0))
        print(f"{manifest['extra']['file']} (preferences dialog, contact forms: fetched by the generic "
              "script when first needed, inside the per-site script)")
        print(f"  minified     {len(extra):>6} B")
        print(f"  gzip         {extra_gz:>6} B")
    sites = load_sites(PROJECT_ROOT / "sites.yaml")
    per_site = site_script_bytes(sites, sites.sites["demo"], DEVELOPMENT_PUBLIC_URL, raw, extra)
    per_site_gz = len(gzip.compress(per_site, compresslevel=9, mtime=0))
    print("per-site script /banner/v1/sites/demo/consent.js (configuration fr + en, the extra, the generic)")
    print(f"  minified     {len(per_site):>6} B   (+{len(per_site) - len(raw)} B of configuration and extra)")
    print(f"  gzip (served){per_site_gz:>6} B   (+{per_site_gz - len(served)} B over the generic "
          f"script; saves the configuration request)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
