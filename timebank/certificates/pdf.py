"""The certificate as a PDF (A4, fpdf2, the bundled CJK font): title, statement, the service records table
over as many pages as it needs, the issuer, the date, the serial number and a QR code to the public page."""

from __future__ import annotations

import io

from timebank.certificates import domain
from timebank.certificates.domain import CertificateData
from timebank.certificates.fonts import FONT_PATH, codepoints

FONT = "cjk"
STATEMENT = "兹证明{name}在上述期间参加志愿服务，服务记录如下："
BASIS = ("本证明依据《志愿服务记录与证明出具办法》出具，服务记录来自本县时间银行平台，"
         "扫描二维码或访问下方网址可核验本证明的真伪和状态。")


def _qr_png(url: str) -> io.BytesIO:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


def render(data: CertificateData) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    glyphs = codepoints()

    def text(value: str) -> str:
        return domain.printable(value, glyphs)

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.set_margins(20, 18, 20)
    pdf.set_title(f"志愿服务记录证明 {data.serial}")
    pdf.set_creator("Timebank")
    pdf.add_font(FONT, fname=str(FONT_PATH))
    serial = data.serial

    def footer():
        pdf.set_y(-14)
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(110, 110, 110)
        pdf.cell(0, 5, f"证明编号：{serial}    第{pdf.page_no()}页，共{{nb}}页", align="C")
        pdf.set_text_color(0, 0, 0)

    pdf.footer = footer
    pdf.alias_nb_pages("{nb}")
    pdf.add_page()
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 6, f"编号：{data.serial}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, size=22)
    pdf.cell(0, 14, "志愿服务记录证明", align="C", new_x="LMARGIN", new_y="NEXT")
    if data.revoked:
        pdf.set_font(FONT, size=12)
        pdf.set_text_color(180, 0, 0)
        pdf.cell(0, 8, "（本证明已撤销，不再有效）", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.set_font(FONT, size=12)
    facts = (
        ("姓名", text(data.name)), ("志愿者编号", text(data.volunteer_number)),
        ("公民身份号码", data.id_masked),
        ("服务期间", f"{domain.chinese_date(data.period_start)}至{domain.chinese_date(data.period_end)}"),
        ("服务次数", f"{len(data.records)}次"), ("累计服务时长", domain.hours_text(data.total_minutes)),
    )
    for label, value in facts:
        pdf.cell(36, 8.5, f"{label}：", new_x="RIGHT", new_y="TOP")
        pdf.cell(0, 8.5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 8, STATEMENT.format(name=text(data.name)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=10)
    heading = FontFace(emphasis=None, fill_color=(232, 238, 244))
    with pdf.table(col_widths=(13, 26, 30, 79, 22), text_align=("CENTER", "CENTER", "LEFT", "LEFT", "RIGHT"),
                   headings_style=heading, line_height=6.5, padding=1.5, repeat_headings=1) as table:
        table.row(("序号", "服务日期", "服务项目", "服务内容", "小时"))
        for index, line in enumerate(data.records, start=1):
            table.row((str(index), line.day.isoformat(), text(line.category), text(line.content),
                       domain.hours_decimal(line.minutes)))
        table.row(("", "", "", "合计", domain.hours_decimal(data.total_minutes)))
    pdf.ln(6)
    _closing(pdf, data, text)
    return bytes(pdf.output())


def _closing(pdf, data: CertificateData, text) -> None:
    """Basis, issuer, date and QR code: kept together on one page (a new page when too little room)."""
    needed = 70
    if pdf.get_y() + needed > pdf.h - 22:
        pdf.add_page()
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 6, BASIS, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    block = pdf.get_y()
    qr_size = 34
    pdf.image(_qr_png(data.verify_url), x=pdf.l_margin, y=block, w=qr_size, h=qr_size)
    pdf.set_xy(pdf.l_margin, block + qr_size + 1)
    pdf.set_font(FONT, size=7)
    pdf.multi_cell(80, 4, data.verify_url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    right = pdf.w - pdf.r_margin - 85
    pdf.set_xy(right, block + 6)
    pdf.cell(85, 8, f"出具单位：{text(data.issuer_name)}", align="L", new_x="LEFT", new_y="NEXT")
    pdf.cell(85, 8, "（盖章）", align="L", new_x="LEFT", new_y="NEXT")
    pdf.cell(85, 8, f"出具日期：{domain.chinese_date(data.issued_on)}", align="L", new_x="LEFT", new_y="NEXT")
