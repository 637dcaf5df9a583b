"""services/useragent: browser, OS and device class from a user agent, parsed fast and cached."""
import threading

import pytest
import ua_parser
import user_agents

from bench.uagen import user_agents as generated_user_agents
from consent_server.services import useragent
from consent_server.services.useragent import ClientInfo, classify

SAMPLES = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":
        ClientInfo("Chrome", "Windows", "desktop"),
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1": ClientInfo("Mobile Safari", "iOS", "mobile"),
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1": ClientInfo("Mobile Safari", "iOS", "tablet"),
    "Mozilla/5.0 (Linux; Android 14; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36":
        ClientInfo("Chrome", "Android", "tablet"),
    "Mozilla/5.0 (Linux; Android 13; Pixel 7a) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
    "Mobile Safari/537.36": ClientInfo("Chrome Mobile", "Android", "mobile"),
    "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0": ClientInfo("Firefox", "Linux", "desktop"),
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": ClientInfo("Googlebot", "Other", "bot"),
    "curl/8.5.0": ClientInfo("curl", "Other", "other"),
}


@pytest.mark.parametrize("agent, expected", SAMPLES.items(), ids=[v.browser + "-" + v.device for v in SAMPLES.values()])
def test_browser_os_and_device_class(agent, expected):
    assert classify(agent) == expected


def test_crawlers_are_bots():
    assert classify("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)").is_bot
    assert not classify(next(iter(SAMPLES))).is_bot


def test_no_user_agent_is_nothing():
    assert classify(None) == classify("") == ClientInfo(None, None, None)


def test_same_answers_as_the_user_agents_library_on_ten_thousand_user_agents():
    """The fast resolver and the library's own (pure-Python) parse agree on every field
    the classification uses."""
    for agent in generated_user_agents(10_000, seed=11)[::5] + list(SAMPLES):
        ours, theirs = useragent.parse(agent), user_agents.parse(agent)
        assert (ours.browser, ours.os, ours.device) == (theirs.browser, theirs.os, theirs.device), agent
        assert (ours.is_bot, ours.is_tablet, ours.is_mobile, ours.is_pc) == \
            (theirs.is_bot, theirs.is_tablet, theirs.is_mobile, theirs.is_pc), agent


def test_the_compiled_resolver_is_installed():
    """setup.cfg asks for ua-parser[regex]: without it every unseen user agent costs ~40x more."""
    assert ua_parser.RegexResolver is not None
    assert isinstance(useragent.resolver(), ua_parser.RegexResolver)


def test_answers_are_cached_and_long_user_agents_cut():
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0 " + "x" * 2000
    classify.cache_clear()
    first = classify(agent)
    assert classify(agent) is first
    assert classify.cache_info().hits == 1
    assert first == classify(agent[:useragent.MAX_LENGTH])


def test_threads_share_the_resolver():
    agents = generated_user_agents(400, seed=12)
    expected = [classify(a) for a in agents]
    classify.cache_clear()
    results, errors = {}, []

    def work(k):
        try:
            results[k] = [classify.__wrapped__(a) for a in agents]
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and all(r == expected for r in results.values())
