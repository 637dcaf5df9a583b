"""User agents reduced to browser family, OS family and device class (never stored raw).

Parsing: ua-parser 1.0's resolver over its built-in rules, the fastest one installed
(``ua-parser[regex]``: ``ua-parser-rs``, Rust's regex crate, ~15 µs for an unseen user
agent; the pure-Python fallback takes ~0.6 ms). The device class comes from the
``user-agents`` library's rules (tablet, mobile, PC, bot), applied to that result instead
of its own (pure-Python) parse. ``classify`` caches its answers per process.
"""
from dataclasses import dataclass
from functools import cache, lru_cache

from ua_parser import BestAvailableResolver, Domain, load_builtins
from user_agents.parsers import UserAgent, parse_browser, parse_device, parse_operating_system

MAX_LENGTH = 512  # longer user agents are cut before parsing (and before the cache)


@dataclass(frozen=True)
class ClientInfo:
    browser: str | None
    os: str | None
    device: str | None  # "desktop" | "mobile" | "tablet" | "bot" | "other"

    @property
    def is_bot(self) -> bool:
        return self.device == "bot"


@cache
def resolver():
    """The parser's resolver, built once per process (about 0.1 s with ua-parser-rs)."""
    return BestAvailableResolver(load_builtins())


def parse(user_agent: str) -> UserAgent:
    """``user_agents.parse(user_agent)``, through the fast resolver."""
    r = resolver()(user_agent, Domain.ALL).complete().with_defaults()
    agent = UserAgent.__new__(UserAgent)
    agent.ua_string = user_agent
    agent.browser = parse_browser(r.user_agent.family, r.user_agent.major, r.user_agent.minor,
                                  r.user_agent.patch, r.user_agent.patch_minor)
    agent.os = parse_operating_system(r.os.family, r.os.major, r.os.minor, r.os.patch, r.os.patch_minor)
    agent.device = parse_device(r.device.family, r.device.brand, r.device.model)
    return agent


@lru_cache(maxsize=16384)
def classify(user_agent: str | None) -> ClientInfo:
    if not user_agent:
        return ClientInfo(None, None, None)
    ua = parse(user_agent[:MAX_LENGTH])
    if ua.is_bot:
        device = "bot"
    elif ua.is_tablet:
        device = "tablet"
    elif ua.is_mobile:
        device = "mobile"
    elif ua.is_pc:
        device = "desktop"
    else:
        device = "other"
    return ClientInfo(ua.browser.family[:64] or None, ua.os.family[:64] or None, device)
