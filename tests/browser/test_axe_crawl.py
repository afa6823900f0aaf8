"""axe-core in real Chromium over every page each role can reach (found by following the links on the
pages themselves), in Chinese, English and elder mode, at phone and desktop width: no critical or serious
violation. In elder mode the elder figures are measured on every page too: text >= 24 px, line height
>= 1.3, main controls >= 60 px high."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import PHONE

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
DESKTOP = {"width": 1200, "height": 900}
ROLES = {  # demo logins (README)
    "anonymous": None,
    "volunteer": ("13900000001", "Demo-volunteer-2026"),
    "social_worker": ("13900000011", "Demo-social-2026"),
    "relative": ("13900000002", "Demo-relative-2026"),
    "station": ("chengguan", "Demo-station-2026"),
    "admin": ("admin", "Demo-admin-2026"),
    "charity": ("charity1", "Demo-charity-2026"),
}
SKIP = re.compile(r"^/(static|api)/|\.(csv|xlsx|svg|pdf|json)$|/logout|/lang|/elder|/card/")
PER_PATTERN = 1  # concrete pages per route shape (ids replaced): bounded by examples, not by hope
MAX_PAGES = 60  # per role


def pattern(path: str) -> str:
    return re.sub(r"/\d+", "/<id>", path)


def discover(page, base: str, public: set[str]) -> list[str]:
    """Breadth-first over same-site links from the role's first page (public pages, already checked
    for the anonymous visitor, are followed but not checked again)."""
    seen_patterns: Counter[str] = Counter()
    queue, found, visited = ["/"], [], set()
    while queue and len(found) < MAX_PAGES:
        path = queue.pop(0)
        if path in found or seen_patterns[pattern(path)] >= PER_PATTERN or path in visited:
            continue
        visited.add(path)
        response = page.goto(base + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen_patterns[pattern(path)] += 1
        if pattern(path) not in public or not public:
            found.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlsplit(urljoin(base + path, href))
            if url.netloc != urlsplit(base).netloc or SKIP.search(url.path):
                continue
            target = url.path + (f"?{url.query}" if url.query and "page=" not in url.query else "")
            if target not in found and target not in queue:
                queue.append(target)
    return found


def login(page, base, credentials):
    page.goto(f"{base}/login")
    page.fill("#login", credentials[0])
    page.fill("#password", credentials[1])
    page.click("[data-test=login-submit]")
    page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return result


ELDER_FIGURES = """() => {
    const bad = [];
    const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
    const main = document.querySelector('main') || document.body;
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    const checked = new Set();
    while (walker.nextNode()) {
        const el = walker.currentNode.parentElement;
        if (!el || checked.has(el) || !walker.currentNode.textContent.trim() || !visible(el)) continue;
        checked.add(el);
        if (el.closest('.sr-only, [aria-hidden=true], svg')) continue;
        const s = getComputedStyle(el); const size = parseFloat(s.fontSize);
        const lh = s.lineHeight === 'normal' ? 1.2 * size : parseFloat(s.lineHeight);
        if (size < 23.5) bad.push(`text ${size}px: ${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 20)}"`);
        else if (lh / size < 1.29 && el.closest('p, li, td, th, label, dd, dt')) bad.push(`line-height ${(lh/size).toFixed(2)}: "${el.textContent.trim().slice(0, 20)}"`);
    }
    for (const el of main.querySelectorAll('button, .btn, input[type=submit], select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea')) {
        if (!visible(el)) continue;
        const r = el.getBoundingClientRect();
        if (r.height < 59.5) bad.push(`control ${Math.round(r.height)}px high: ${el.tagName.toLowerCase()} "${(el.textContent || el.value || el.name || '').trim().slice(0, 20)}"`);
    }
    return bad.slice(0, 5);
}"""


@pytest.mark.parametrize("live", ["sqlite"], indirect=True)  # markup does not depend on the database
def test_every_reachable_page_passes_axe_in_every_mode_and_width(live, browser, capsys):
    failures, loads, pages_seen, public = [], 0, set(), set()
    for role, credentials in ROLES.items():
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)  # to inject axe
        page = context.new_page()
        page.set_default_timeout(20000)
        if credentials:
            login(page, live.url, credentials)
        paths = discover(page, live.url, public)
        if role == "anonymous":
            public.update(pattern(p) for p in paths if p != "/")
        for mode in ("zh", "en", "elder"):
            host = urlsplit(live.url).hostname
            context.clear_cookies(name="timebank_lang")
            context.clear_cookies(name="timebank_elder")
            context.add_cookies([{"name": "timebank_lang", "value": "en" if mode == "en" else "zh_CN",
                                  "domain": host, "path": "/"},
                                 {"name": "timebank_elder", "value": "1" if mode == "elder" else "0",
                                  "domain": host, "path": "/"}])
            for path in paths:
                for size in (DESKTOP, PHONE):
                    page.set_viewport_size(size)
                    if size is DESKTOP:
                        page.goto(live.url + path)
                        loads += 1
                    pages_seen.add((role, pattern(path)))
                    where = f"{role} {mode} {size['width']}px {path}"
                    for v in axe_violations(page):
                        failures.append(f"{where}: {v['impact']} {v['id']} {v['nodes']}")
                    if mode == "elder" and size is PHONE:
                        failures.extend(f"{where}: {bad}" for bad in page.evaluate(ELDER_FIGURES))
        context.close()
    with capsys.disabled():
        print(f"\naxe crawl: {len(pages_seen)} role×page shapes, {loads} page loads, "
              f"{loads * 2} axe runs (zh, en, elder × phone, desktop); {len(failures)} problems")
    kinds = Counter(re.sub(r"^\S+ \S+ \S+ \S+: ", "", f).split(" [")[0].split(":")[0] for f in failures)
    assert not failures, "\n".join(failures[:60]) + f"\n... {len(failures)} in all: {dict(kinds)}"
