"""Size of the widget bundle beside open-source peers (a figure, not a test).

    .venv/bin/python bench/widget_size.py [--served]

Prints raw, gzip -9 and (when the `brotli` module is installed) brotli -q 11 sizes of the
bundle, then our gzip size beside the peers' figures from issue 3 (JS + CSS for a banner
with three categories, gzip -9, measured by the issue's authors on this kind of machine).
With --served, the gzip figure is also taken from the bytes the app sends for
GET /consent.js with Accept-Encoding: gzip (needs consent_server).
"""
from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from widget import build_bundle  # noqa: E402

BUDGET = 6000
PEERS = {  # gzip -9 bytes, from issue 3
    "CookieConsent v3": 15_474,
    "Osano cookieconsent (no categories, no blocking)": 8_070,
    "tarteaucitron": 25_052,
    "Klaro": 68_883,
}


def served_gzip_size() -> int | None:
    try:
        from consent_server import create_app
    except ImportError:
        return None
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        response = app.test_client().get("/consent.js", headers={"Accept-Encoding": "gzip"})
        if response.headers.get("Content-Encoding") != "gzip":
            return None
        return len(response.get_data())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--served", action="store_true", help="also measure GET /consent.js from the app")
    args = parser.parse_args()

    bundle = build_bundle()
    raw = len(bundle.body)
    gz = len(gzip.compress(bundle.body, compresslevel=9))
    try:
        import brotli
    except ImportError:
        br = None
    else:
        br = len(brotli.compress(bundle.body, quality=11))

    print(f"widget bundle {bundle.version}")
    print(f"{'encoding':<14}{'bytes':>8}")
    print(f"{'raw':<14}{raw:>8}")
    print(f"{'gzip -9':<14}{gz:>8}   budget {BUDGET} ({gz / BUDGET:.0%} used)")
    print(f"{'brotli -q 11':<14}{br if br is not None else 'n/a (pip install brotli)':>8}")
    if args.served:
        served = served_gzip_size()
        print(f"{'served (gzip)':<14}{served if served is not None else 'n/a':>8}")
    print()
    print(f"{'banner (JS + CSS, gzip -9)':<52}{'bytes':>8}{'vs ours':>9}")
    print(f"{'ours':<52}{gz:>8}{'1.00x':>9}")
    for name, size in PEERS.items():
        print(f"{name:<52}{size:>8}{size / gz:>8.2f}x")


if __name__ == "__main__":
    main()
