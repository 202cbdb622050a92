"""The 30-day chart: revenue per day as bars, sales per day as a line, drawn with Pillow into a PNG."""
import io

WIDTH, HEIGHT = 960, 480
LEFT, RIGHT, TOP, BOTTOM = 80, 60, 50, 50
BAR, LINE, GRID, INK = (66, 133, 244), (234, 120, 33), (225, 225, 225), (60, 60, 60)


def _font(size: int):
    from PIL import ImageFont
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _top(value) -> float:
    """A round axis maximum at or above value (1, 2, 5 × 10ⁿ, at least 100)."""
    value, step = max(float(value), 100.0), 1.0
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _label(value: float) -> str:
    return f"{value / 1000:g}k" if value >= 10000 else f"{value:g}"


def revenue_chart_png(days: list) -> bytes:
    """PNG of `days` ({"day", "revenue", "sales"}, oldest first); the caption explains it in words."""
    from PIL import Image, ImageDraw  # loaded only when an admin asks for the chart
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw, font = ImageDraw.Draw(image), _font(14)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    money_top = _top(max((float(d["revenue"]) for d in days), default=0))
    sales_top = 4 * max(1, -(-max((d["sales"] for d in days), default=0) // 4))  # whole sales on grid lines
    for i in range(5):  # grid with both scales: money on the left, sales on the right
        y = TOP + plot_h - plot_h * i / 4
        draw.line([(LEFT, y), (LEFT + plot_w, y)], fill=GRID)
        draw.text((LEFT - 8, y), _label(money_top * i / 4), fill=BAR, font=font, anchor="rm")
        draw.text((LEFT + plot_w + 8, y), _label(sales_top * i / 4), fill=LINE, font=font, anchor="lm")
    slot = plot_w / max(len(days), 1)
    points = []
    for i, day in enumerate(days):
        x0 = LEFT + i * slot
        height = plot_h * float(day["revenue"]) / money_top
        if height > 0:
            draw.rectangle([x0 + slot * 0.15, TOP + plot_h - height, x0 + slot * 0.85, TOP + plot_h], fill=BAR)
        points.append((x0 + slot / 2, TOP + plot_h - plot_h * day["sales"] / sales_top))
        if i % 5 == 0 or i == len(days) - 1:
            draw.text((x0 + slot / 2, TOP + plot_h + 8), day["day"].strftime("%m-%d"), fill=INK, font=font,
                      anchor="mt")
    if len(points) > 1:
        draw.line(points, fill=LINE, width=3)
    for x, y in points:
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=LINE)
    draw.line([(LEFT, TOP + plot_h), (LEFT + plot_w, TOP + plot_h)], fill=INK)
    draw.rectangle([LEFT, 16, LEFT + 14, 30], fill=BAR)
    draw.text((LEFT + 20, 23), "revenue, RUB / day", fill=INK, font=font, anchor="lm")
    draw.line([(LEFT + 200, 23), (LEFT + 226, 23)], fill=LINE, width=3)
    draw.text((LEFT + 232, 23), "sales / day", fill=INK, font=font, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
