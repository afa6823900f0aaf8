"""Must show (issue 13): a relative in elder mode on a 390 px phone posts a request in three steps and
confirms a finished visit with one big button; the compact header keeps its menu behind one button; the
read-aloud button speaks the main content (a recording stub of speechSynthesis, then the real API); every
elder page passes axe and the elder figures. Screenshots go to docs/img/elder/ for the user guide."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE
from tests.browser.test_axe_crawl import AXE, ELDER_FIGURES, login
from timebank.extensions import db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "img" / "elder"
RELATIVE = ("13900000002", "Demo-relative-2026")
pytestmark = pytest.mark.parametrize("live", ["sqlite"], indirect=True)  # markup and script, not SQL

STUB = """(() => {
  const spoken = []; window.__spoken = spoken; window.__highlighted = []; window.__delay = 5;
  class Utterance { constructor(text) { this.text = text; this.lang = ''; this.voice = null; } }
  const synth = {
    paused: false, cancelled: 0,
    getVoices() { return [{name: 'stub-zh', lang: 'zh-CN'}, {name: 'stub-en', lang: 'en-US'}]; },
    speak(u) {
      spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name});
      const h = window.CSS && CSS.highlights && CSS.highlights.get('readaloud');
      window.__highlighted.push(h ? [...h][0].toString() : null);
      setTimeout(() => u.onend && u.onend(), window.__delay);
    },
    pause() { this.paused = true; }, resume() { this.paused = false; }, cancel() { this.cancelled += 1; },
    addEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = Utterance;
})();"""


def elder_page(browser, live, *, bypass_csp=False, stub=False):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=bypass_csp)
    host = urlsplit(live.url).hostname
    context.add_cookies([{"name": "timebank_elder", "value": "1", "domain": host, "path": "/"},
                         {"name": "timebank_lang", "value": "zh_CN", "domain": host, "path": "/"}])
    if stub:
        context.add_init_script(STUB)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def wait_until(page, js: str, seconds: float = 10) -> None:
    """Poll an expression (page.wait_for_function evaluates a string, which script-src 'self' refuses)."""
    for _try in range(int(seconds * 20)):
        if page.evaluate(f"() => Boolean({js})"):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {js}")


def snap(page, name: str, full: bool = True) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=full)


def check_page(page, where: str) -> list[str]:
    """axe (critical, serious) and the elder figures on the page as it stands."""
    page.add_script_tag(content=AXE)
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious').map(v => v.id + ' ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', '));
    }""")
    found += page.evaluate(ELDER_FIGURES)
    text = page.inner_text("main")
    found += [f"code word {w!r}" for w in ("P1", "P2", "CSV", "admin") if w in text]
    return [f"{where}: {f}" for f in found]


def finished_visit(app, resident_id: int) -> int:
    """A visit for the relative's mother that a volunteer has finished (checked out), written through the
    visit services as the station would record it."""
    from timebank import clock
    from timebank.accounts.models import User
    from timebank.catalog.models import ServiceCategory
    from timebank.errors import DomainError
    from timebank.people.models import VolunteerProfile
    from timebank.visits import onsite
    from timebank.visits import service as visits

    with app.test_request_context():
        session = db.session
        admin = session.scalar(select(User).where(User.username == "admin"))
        category = session.scalar(select(ServiceCategory).where(ServiceCategory.code == "companionship"))
        now = clock.now()
        volunteers = list(session.scalars(select(VolunteerProfile.person_id)
                                          .where(VolunteerProfile.status == "approved")))
        req = None
        for days, hours in ((d, h) for d in range(2, 9) for h in (0, -1, 4, 6)):
            start = now - timedelta(days=days, hours=-hours)
            nested = session.begin_nested()
            data = visits.RequestInput(resident_id=resident_id, category_id=category.id, earliest_start=start,
                                       latest_end=start + timedelta(hours=3), duration_minutes=60, payer="backstop")
            req = visits.post_request(session, admin, data, now=start - timedelta(days=1), today=clock.today())[0]
            for volunteer_id in volunteers:
                try:
                    with session.begin_nested():
                        visits.take_seat(session, admin, req.id, volunteer_id=volunteer_id,
                                         now=start - timedelta(hours=20), today=clock.today())
                    break
                except DomainError:
                    continue
            if req.active_seats:
                nested.commit()
                break
            nested.rollback()
        assert req is not None and req.active_seats, "no demo volunteer fits a companionship visit"
        begin = req.scheduled_start
        seat = req.active_seats[0]
        onsite.record(session, admin, req.id, seat.volunteer_id, "check_in", at=begin, reason="演示", now=now)
        onsite.record(session, admin, req.id, seat.volunteer_id, "check_out", at=begin + timedelta(minutes=55),
                      reason="演示", now=now)
        session.commit()
        return req.id


def mother_id(app) -> int:
    from timebank.accounts.models import User
    from timebank.people.models import Relative

    with app.app_context():
        daughter = db.session.scalar(select(User).where(User.phone == RELATIVE[0]))
        return db.session.scalar(select(Relative.resident_id).where(Relative.relative_id == daughter.person_id))


def test_relative_posts_in_three_steps_and_confirms_a_finished_visit(live, browser):
    from timebank.visits.models import ServiceRequest

    mother = mother_id(live.app)
    visit = finished_visit(live.app, mother)
    context, page = elder_page(browser, live, bypass_csp=True)  # bypass only to inject axe
    problems = []
    login(page, live.url, RELATIVE)
    page.goto(f"{live.url}/visits/services")

    # the compact header: at most a quarter of the first screen, the menu behind one button
    toggle = page.locator("[data-test=menu-toggle]")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#site-menu").is_hidden()
    height = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    assert height <= PHONE["height"] / 4, height
    snap(page, "header-menu-closed", full=False)
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator("#site-menu").is_visible()
    snap(page, "header-menu-open", full=False)
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.click("[data-test=nav-easy-request]")

    # step 1: what
    page.wait_for_selector("[data-test=easy-what]")
    assert "第1步，共3步" in page.inner_text("main")
    problems += check_page(page, "step 1")
    snap(page, "request-1-what")
    page.click("[data-test=easy-category-meals]")
    # step 2: when
    page.wait_for_selector("[data-test=easy-when]")
    assert "第2步，共3步" in page.inner_text("main")
    problems += check_page(page, "step 2")
    snap(page, "request-2-when")
    page.click("[data-test=easy-slot-2]")
    # step 3: check what was filled from the record, then one big button
    summary = page.inner_text("[data-test=easy-summary]")
    assert "助餐" in summary and "明天" in summary
    problems += check_page(page, "step 3")
    snap(page, "request-3-confirm")
    submit = page.locator("[data-test=easy-submit]").bounding_box()
    assert submit["height"] >= 60 and submit["width"] >= PHONE["width"] * 0.8
    page.click("[data-test=easy-submit]")
    page.wait_for_selector("p.notice")
    assert "已经申请好了" in page.inner_text("p.notice")

    with live.app.app_context():
        posted = db.session.scalars(select(ServiceRequest).where(ServiceRequest.resident_id == mother)
                                    .order_by(ServiceRequest.id.desc())).first()
        assert posted.category.code == "meals" and posted.status in ("open", "review")
        assert posted.duration_minutes == posted.category.default_minutes

    # confirm the finished visit: one big action on the screen
    page.click("[data-test=menu-toggle]")
    page.click("[data-test=nav-easy-finished]")
    page.wait_for_selector("[data-test=easy-confirm]")
    assert page.locator(f"form[action='/easy/finished/{visit}']").count() == 1
    problems += check_page(page, "confirm")
    snap(page, "confirm-service")
    page.click("[data-test=easy-confirm-submit]")
    page.wait_for_selector("p.notice")
    with live.app.app_context():
        req = db.session.get(ServiceRequest, visit)
        assert req.status == "settled" and req.confirmation_method == "relative"

    # my balance: one big number
    page.click("[data-test=menu-toggle]")
    page.click("[data-test=nav-easy-balance]")
    big = page.locator("[data-test=easy-balance]")
    assert "小时" in big.inner_text() or "分" in big.inner_text()
    assert float(big.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
    problems += check_page(page, "balance")
    snap(page, "balance")
    context.close()
    assert not problems, "\n".join(problems)


def test_read_aloud_passes_the_main_content_to_speech(live, browser):
    context, page = elder_page(browser, live, stub=True)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live.url}/login")
    page.click("[data-test=login-submit]")  # empty: the error messages are read too
    page.wait_for_selector(".error, .error-box")
    page.click("[data-test=readaloud]")
    wait_until(page, "document.getElementById('readaloud-status').textContent === '读完了。'")
    spoken = page.evaluate("window.__spoken")
    said = "".join(s["text"] for s in spoken)
    main = page.inner_text("main")
    assert page.inner_text("main h1") in said
    labels = page.eval_on_selector_all("main label", "els => els.map(e => e.innerText.trim())")
    assert labels and all(label.replace(" ", "") in said.replace(" ", "") for label in labels)
    error = page.inner_text("main .error, main .error-box").strip().lstrip("⚠ ")
    assert error[:6] in said
    assert {s["lang"] for s in spoken} == {"zh-CN"} and {s["voice"] for s in spoken} == {"stub-zh"}
    assert len(spoken) > 2  # sentence by sentence
    highlighted = page.evaluate("window.__highlighted")
    assert [" ".join(h.split()) for h in highlighted] == [s["text"] for s in spoken]  # each sentence lit as read
    assert all(s["text"] in " ".join(main.split()) or s["text"].replace(" ", "") in main.replace(" ", "")
               for s in spoken[:3])

    # pause, resume and stop
    page.evaluate("window.__delay = 60000; window.__spoken.length = 0")
    page.click("[data-test=readaloud]")
    wait_until(page, "window.__spoken.length === 1")
    page.screenshot(path=str(DOCS / "read-aloud.png"), full_page=False)
    page.click("[data-test=readaloud-pause]")
    assert page.evaluate("speechSynthesis.paused") is True
    assert page.inner_text("[data-test=readaloud-pause]") == "继续"
    assert page.inner_text("[data-test=readaloud-status]") == "已暂停。"
    page.click("[data-test=readaloud-pause]")
    assert page.evaluate("speechSynthesis.paused") is False
    page.click("[data-test=readaloud-stop]")
    assert page.inner_text("[data-test=readaloud-status]") == "已停止朗读。"
    assert page.evaluate("CSS.highlights.has('readaloud')") is False
    assert page.locator(".readaloud-controls").is_hidden()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_read_aloud_in_english_uses_an_english_voice(live, browser):
    context, page = elder_page(browser, live, stub=True)
    host = urlsplit(live.url).hostname
    context.add_cookies([{"name": "timebank_lang", "value": "en", "domain": host, "path": "/"}])
    page.goto(f"{live.url}/signup")
    height = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    assert height <= PHONE["height"] / 4, height  # the longer English words still fit a quarter screen
    page.click("[data-test=readaloud]")
    wait_until(page, "document.getElementById('readaloud-status').textContent === 'Finished reading.'")
    spoken = page.evaluate("window.__spoken")
    assert {s["voice"] for s in spoken} == {"stub-en"} and "Volunteer sign-up" in "".join(s["text"] for s in spoken)
    context.close()


def test_read_aloud_with_the_real_api(live, browser, capsys):
    """Chromium's own speechSynthesis: it speaks where the machine has a voice for the page's language, and
    otherwise the page says so in words. The report names which happened."""
    context, page = elder_page(browser, live)  # no CSP bypass: the script runs under script-src 'self'
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live.url}/")
    voices = page.evaluate("""() => new Promise(resolve => {
        const now = speechSynthesis.getVoices();
        if (now.length) return resolve(now.map(v => v.lang));
        speechSynthesis.addEventListener('voiceschanged', () => resolve(speechSynthesis.getVoices().map(v => v.lang)));
        setTimeout(() => resolve(speechSynthesis.getVoices().map(v => v.lang)), 3000);
    })""")
    page.click("[data-test=readaloud]")
    status = page.locator("[data-test=readaloud-status]")
    zh = [v for v in voices if v.lower().replace("_", "-").startswith("zh")]
    if zh:
        wait_until(page, "speechSynthesis.speaking || speechSynthesis.pending")
        assert status.inner_text() == "正在朗读。"
        outcome = f"real speechSynthesis: {len(voices)} voices, speaking started"
        page.click("[data-test=readaloud-stop]")
    else:
        wait_until(page, "document.getElementById('readaloud-status').textContent.length > 0")
        assert "没有能读这种语言的声音" in status.inner_text()
        assert status.get_attribute("aria-live") == "polite"
        outcome = f"real speechSynthesis: {len(voices)} voices ({sorted(set(voices))[:5]}), no Chinese voice: message shown"
        page.screenshot(path=str(DOCS / "read-aloud-no-voice.png"), full_page=False)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    with capsys.disabled():
        print(f"\n{outcome}")
    context.close()
