"""Bots and device classes, from User-Agent strings that real clients send."""

from __future__ import annotations

import pytest

from rallypoint.links.bots import HEAD_REQUEST, NO_USER_AGENT, bot_name, bot_name_for
from rallypoint.links.devices import device_class

# (User-Agent, bot name) of the preview bots that fetch a link when it is shared or
# pasted, and of crawlers and scripts.
BOTS = [
    (
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app) "
        "Chrome/125.0.6422.60 Safari/537.36",
        "Bluesky Cardyb",
    ),
    ("http.rb/5.1.1 (Mastodon/4.2.8; +https://mastodon.social/)", "Mastodon"),
    ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot"),
    ("Slackbot 1.0 (+https://api.slack.com/robots)", "Slackbot"),
    ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "Discordbot"),
    ("WhatsApp/2.23.20.0 A", "WhatsApp"),
    ("TelegramBot (like TwitterBot)", "TelegramBot"),
    ("Iframely/1.3.1 (+https://iframely.com/docs/about)", "Iframely"),
    ("Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)", "Embedly"),
    (
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
        "skype-url-preview@microsoft.com",
        "Microsoft Teams/Skype preview",
    ),
    ("redditbot/1.0", "redditbot"),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
        "Applebot",
    ),
    (
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "LinkedInBot",
    ),
    ("Twitterbot/1.0", "Twitterbot"),
    (
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "facebookexternalhit",
    ),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot"),
    ("curl/8.5.0", "curl"),
    ("python-requests/2.31.0", "python-requests"),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/120.0.0.0 Safari/537.36",
        "Headless",
    ),
    ("", NO_USER_AGENT),
]

# (User-Agent, device class) of people, including the in-app browsers of the networks.
PEOPLE = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        "desktop",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.1 Safari/605.1.15",
        "desktop",
    ),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "desktop"),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "desktop",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36",
        "mobile",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 [LinkedInApp]/9.29.6",
        "mobile",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/16.6]",
        "mobile",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-S908B Build/TP1A.220624.014; wv) AppleWebKit/"
        "537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.66 Mobile Safari/537.36 "
        "Instagram 308.0.0.36.109 Android",
        "mobile",
    ),
    ("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "mobile"),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "tablet",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X706B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "tablet",
    ),
    ("Mozilla/5.0 (Android 13; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0", "tablet"),
    (
        "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Silk/120.3.1 like Chrome/120.0.6099.230 Safari/537.36",
        "tablet",
    ),
    (
        "Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36",
        "other",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/120.0.0.0 Safari/537.36 Edge/44.18363.8131",
        "other",
    ),
]


@pytest.mark.parametrize(("user_agent", "name"), BOTS)
def test_crawlers_and_unfurlers_are_bots(user_agent, name):
    assert bot_name(user_agent) == name
    assert device_class(user_agent, is_bot=True) == "bot"


@pytest.mark.parametrize(("user_agent", "kind"), PEOPLE)
def test_people_are_not_bots_and_get_their_device_class(user_agent, kind):
    assert bot_name(user_agent) == ""
    assert device_class(user_agent, is_bot=False) == kind


def test_a_head_request_is_a_bot_even_with_a_browser_user_agent():
    browser = PEOPLE[0][0]

    assert bot_name_for(method="HEAD", user_agent=browser) == HEAD_REQUEST
    assert bot_name_for(method="GET", user_agent=browser) == ""
    assert bot_name_for(method="HEAD", user_agent="Twitterbot/1.0") == "Twitterbot"


def test_an_unknown_client_is_other():
    assert device_class("SomeReader/3.2", is_bot=False) == "other"
