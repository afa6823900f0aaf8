"""Must show: elder mode meets the MIIT 2021 适老化 figures on the home and sign-up pages (text >= 24px,
line height >= 1.3, contrast >= 4.5:1, main controls >= 60x60), standard mode keeps 44x44 targets,
no pop-ups, keyboard reaches every action; screenshots at phone width for review."""

import pytest

from tests.browser.conftest import PHONE, shot

CONTROLS = ("button, .btn, input:not([type=hidden]):not([type=checkbox]), select, textarea, label.check, "
            ".nav a, .tabs a")
TEXT = "main p, main label, main li, main dd, main dt, main legend"

MEASURE_JS = """
([controlSel, textSel]) => {
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (let n = el; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3); } return [255, 255, 255]; };
  const contrast = el => { const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const controls = [...document.querySelectorAll(controlSel)].filter(visible).map(el => {
    const r = el.getBoundingClientRect();
    return {what: el.outerHTML.slice(0, 80), w: r.width, h: r.height, contrast: contrast(el)}; });
  const texts = [...document.querySelectorAll(textSel)].filter(visible).filter(el => el.innerText.trim()).map(el => {
    const s = getComputedStyle(el); const size = parseFloat(s.fontSize);
    const lh = s.lineHeight === 'normal' ? size * 1.2 : parseFloat(s.lineHeight);
    return {what: el.outerHTML.slice(0, 80), size, ratio: lh / size, contrast: contrast(el)}; });
  return {controls, texts, dialogs: document.querySelectorAll('dialog[open], [role=dialog]').length};
}
"""


def measure(page):
    return page.evaluate(MEASURE_JS, [CONTROLS, TEXT])


def set_elder(page, base):
    page.goto(f"{base}/")
    page.click("[data-test=elder-on]")
    page.wait_for_selector("html.elder")


@pytest.mark.parametrize("path", ["/", "/signup"])
def test_elder_mode_figures(live, page_factory, path):
    page = page_factory(viewport=PHONE)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    set_elder(page, live.url)
    page.goto(f"{live.url}{path}")
    figures = measure(page)
    assert figures["controls"] and figures["texts"]
    small = [c for c in figures["controls"] if c["w"] < 60 or c["h"] < 60]
    assert not small, small
    tiny_text = [t for t in figures["texts"] if t["size"] < 24]
    assert not tiny_text, tiny_text[:5]
    tight = [t for t in figures["texts"] if t["ratio"] < 1.3]
    assert not tight, tight[:5]
    faint = [x for x in figures["texts"] + figures["controls"] if x["contrast"] < 4.5]
    assert not faint, faint[:5]
    assert figures["dialogs"] == 0 and dialogs == []
    shot(page, f"elder{path.replace('/', '-') or '-home'}-phone")


@pytest.mark.parametrize("path", ["/", "/signup", "/login"])
def test_standard_mode_targets_and_contrast(live, page_factory, path):
    page = page_factory(viewport=PHONE)
    page.goto(f"{live.url}{path}")
    figures = measure(page)
    small = [c for c in figures["controls"] if c["w"] < 44 or c["h"] < 44]
    assert not small, small
    faint = [x for x in figures["texts"] + figures["controls"] if x["contrast"] < 4.5]
    assert not faint, faint[:5]


def test_elder_mode_is_remembered_and_can_be_switched_off(live, page_factory):
    page = page_factory()
    set_elder(page, live.url)
    page.goto(f"{live.url}/login")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    page.click("[data-test=menu-toggle]")  # elder mode keeps the switches in the menu behind one button
    page.click("[data-test=elder-off]")
    page.wait_for_selector("html:not(.elder)")


def test_keyboard_reaches_sign_up_submit(live, page_factory):
    page = page_factory()
    page.goto(f"{live.url}/signup")
    reached = False
    for _press in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.dataset.test") == "signup-submit":
            reached = True
            break
    assert reached


def test_language_switch_is_remembered(live, page_factory):
    page = page_factory()
    page.goto(f"{live.url}/")
    page.click("[data-test=lang-en]")
    page.wait_for_selector("html[lang=en]")
    page.goto(f"{live.url}/signup")
    assert "Volunteer sign-up" in page.inner_text("h1")
    page.click("[data-test=lang-zh]")
    page.wait_for_selector("html[lang=zh-CN]")
