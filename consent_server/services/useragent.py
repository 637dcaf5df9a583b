"""User agents reduced to browser family, OS family and device class (never stored raw)."""
from dataclasses import dataclass
from functools import lru_cache

from user_agents import parse


@dataclass(frozen=True)
class ClientInfo:
    browser: str | None
    os: str | None
    device: str | None  # "desktop" | "mobile" | "tablet" | "bot" | "other"

    @property
    def is_bot(self) -> bool:
        return self.device == "bot"


@lru_cache(maxsize=16384)
def classify(user_agent: str | None) -> ClientInfo:
    if not user_agent:
        return ClientInfo(None, None, None)
    ua = parse(user_agent[:512])
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
