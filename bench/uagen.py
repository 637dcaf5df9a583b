"""Realistic, distinct user-agent strings, generated (no list is shipped or fetched).

Families and shares roughly like a European web audience: Chrome on Windows, macOS,
Android and Linux, Safari on iPhone, iPad and macOS, Edge, Firefox, Samsung Internet,
Opera; plus a small share of crawlers (which the server must drop).
"""
from __future__ import annotations

import random

ANDROID_MODELS = ["SM-S918B", "SM-S911B", "SM-A546B", "SM-A536B", "SM-G991B", "SM-A146P",
                  "Pixel 8", "Pixel 7a", "Pixel 6", "M2101K6G", "2201117TY", "CPH2487",
                  "moto g54 5G", "RMX3630", "V2250", "SM-X200", "KB2003", "23049PCD8G", "K"]
BOTS = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{v} Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"]


def _chrome_version(rng):
    major = rng.randint(109, 131)
    return f"{major}.0.{rng.randint(5400, 6800)}.{rng.randint(0, 220)}"


def _one(rng: random.Random) -> str:
    kind = rng.choices(
        ["chrome_win", "chrome_mac", "chrome_android", "chrome_linux", "safari_iphone", "safari_ipad",
         "safari_mac", "edge", "firefox_win", "firefox_mac", "firefox_linux", "samsung", "opera", "bot"],
        [28, 7, 20, 2, 15, 3, 5, 6, 4, 1, 1, 3, 2, 3])[0]
    if kind == "chrome_win":
        return (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{_chrome_version(rng)} Safari/537.36")
    if kind == "chrome_mac":
        return (f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{_chrome_version(rng)} Safari/537.36")
    if kind == "chrome_linux":
        return (f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{_chrome_version(rng)} Safari/537.36")
    if kind == "chrome_android":
        return (f"Mozilla/5.0 (Linux; Android {rng.randint(9, 14)}; {rng.choice(ANDROID_MODELS)}) "
                f"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{_chrome_version(rng)} Mobile Safari/537.36")
    if kind in ("safari_iphone", "safari_ipad"):
        major, minor = rng.randint(15, 18), rng.randint(0, 7)
        device = "iPhone; CPU iPhone OS" if kind == "safari_iphone" else "iPad; CPU OS"
        build = f"15E{rng.randint(100, 400)}"
        return (f"Mozilla/5.0 ({device} {major}_{minor} like Mac OS X) AppleWebKit/605.1.15 "
                f"(KHTML, like Gecko) Version/{major}.{minor} Mobile/{build} Safari/604.1")
    if kind == "safari_mac":
        major, minor = rng.randint(15, 18), rng.randint(0, 6)
        return (f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_{rng.randint(1, 7)}) AppleWebKit/605.1.15 "
                f"(KHTML, like Gecko) Version/{major}.{minor}.{rng.randint(0, 3)} Safari/605.1.15")
    if kind == "edge":
        v = _chrome_version(rng)
        return (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{v} Safari/537.36 Edg/{v.split('.')[0]}.0.{rng.randint(1500, 2900)}.{rng.randint(0, 120)}")
    if kind.startswith("firefox"):
        v = rng.randint(102, 132)
        system = {"firefox_win": "Windows NT 10.0; Win64; x64", "firefox_mac": "Macintosh; Intel Mac OS X 10.15",
                  "firefox_linux": rng.choice(["X11; Linux x86_64", "X11; Ubuntu; Linux x86_64"])}[kind]
        return f"Mozilla/5.0 ({system}; rv:{v}.0) Gecko/20100101 Firefox/{v}.{rng.randint(0, 3)}"
    if kind == "samsung":
        return (f"Mozilla/5.0 (Linux; Android {rng.randint(10, 14)}; {rng.choice(ANDROID_MODELS)}) "
                f"AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/{rng.randint(18, 26)}.0 "
                f"Chrome/{_chrome_version(rng)} Mobile Safari/537.36")
    if kind == "opera":
        v = _chrome_version(rng)
        return (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{v} Safari/537.36 OPR/{rng.randint(95, 114)}.0.{rng.randint(4000, 5300)}.{rng.randint(0, 99)}")
    return rng.choice(BOTS).replace("{v}", _chrome_version(rng))


def user_agents(n: int = 10_000, seed: int = 1) -> list[str]:
    """``n`` distinct user agents, in a deterministic order."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen.setdefault(_one(rng))
    return list(seen)
