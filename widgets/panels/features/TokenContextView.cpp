#include "TokenContextView.h"

#include "plots/FeaturePalette.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

namespace {
constexpr int kValueWidthChars = 7;
constexpr int kPad = 3;
} // namespace

TokenContextView::TokenContextView(QWidget* parent) : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    setMouseTracking(true);
}

void TokenContextView::setTitle(const QString& title)
{
    m_title = title;
    update();
}

void TokenContextView::setRows(std::vector<Row> rows, float scale)
{
    m_rows = std::move(rows);
    m_scale = scale > 0.0f ? scale : 1.0f;
    updateGeometry();
    update();
}

void TokenContextView::setEmptyText(const QString& text)
{
    m_emptyText = text;
    update();
}

QString TokenContextView::displayText(const QString& token)
{
    QString t = token;
    t.replace(QLatin1Char('\n'), QChar(0x21B5)); // ↵
    t.replace(QLatin1Char('\t'), QChar(0x2192)); // →
    t.replace(QLatin1Char('\r'), QString());
    return t;
}

QColor TokenContextView::shade(float activation, float scale)
{
    // One orange on both themes: translucent over a light or dark base, the text keeps the palette's colour.
    QColor c(255, 136, 0);
    const float f = scale > 0.0f ? std::clamp(activation / scale, 0.0f, 1.0f) : 0.0f;
    c.setAlphaF(0.85f * f);
    return c;
}

int TokenContextView::rowHeight() const { return fontMetrics().height() + 2 * kPad; }

int TokenContextView::titleHeight() const { return m_title.isEmpty() ? 0 : fontMetrics().height() + 6; }

QSize TokenContextView::sizeHint() const
{
    return {480, titleHeight() + std::max<int>(3, int(m_rows.size())) * rowHeight() + 4};
}

QSize TokenContextView::minimumSizeHint() const { return {200, titleHeight() + 2 * rowHeight()}; }

int TokenContextView::rowAt(int y) const
{
    const int r = (y - titleHeight()) / std::max(1, rowHeight());
    return y >= titleHeight() && r >= 0 && r < int(m_rows.size()) ? r : -1;
}

bool TokenContextView::event(QEvent* e)
{
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        const int r = rowAt(help->pos().y());
        if (r >= 0 && !m_rows[std::size_t(r)].toolTip.isEmpty())
            QToolTip::showText(help->globalPos(), m_rows[std::size_t(r)].toolTip, this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(e);
}

void TokenContextView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QPalette pal = palette();
    const QFontMetrics fm = fontMetrics();
    int y = 0;
    if (!m_title.isEmpty()) {
        QFont bold = FeaturePalette::font(11.0, true);
        p.setFont(bold);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRect(2, 0, width() - 4, titleHeight()), Qt::AlignLeft | Qt::AlignVCenter, m_title);
        p.setFont(font());
        y = titleHeight();
    }
    if (m_rows.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(0, y, width(), height() - y), Qt::AlignCenter, m_emptyText);
        return;
    }
    const int valueWidth = fm.horizontalAdvance(QLatin1Char('0')) * kValueWidthChars;
    const int rh = rowHeight();
    for (std::size_t r = 0; r < m_rows.size(); ++r, y += rh) {
        const Row& row = m_rows[r];
        if (r % 2 == 1)
            p.fillRect(QRect(0, y, width(), rh), pal.color(QPalette::AlternateBase));
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(2, y, valueWidth, rh), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(double(row.value), 'g', 3));
        int left = valueWidth + 18; // room for the "…" that marks cut-off context
        int right = width() - 4;
        if (!row.label.isEmpty()) {
            const int w = std::min(fm.horizontalAdvance(row.label) + 8, width() / 4);
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(QRect(right - w, y, w, rh), Qt::AlignRight | Qt::AlignVCenter,
                       fm.elidedText(row.label, Qt::ElideRight, w));
            right -= w + 4;
        }
        // Fit a window around the centre token: all of it if possible, else as much left context as fits in two
        // thirds of the room, the rest to the right.
        const int n = int(row.tokens.size());
        std::vector<int> widths(static_cast<std::size_t>(n));
        std::vector<QString> texts(static_cast<std::size_t>(n));
        for (int t = 0; t < n; ++t) {
            texts[std::size_t(t)] = displayText(row.tokens[std::size_t(t)].text);
            widths[std::size_t(t)] = std::max(fm.horizontalAdvance(texts[std::size_t(t)]), 3);
        }
        if (n > 0) // room inside the frame: a narrow token such as "i" stays readable
            widths[std::size_t(row.centre)] += 4;
        const int room = right - left;
        int first = row.centre, last = row.centre;
        int used = n > 0 ? widths[std::size_t(row.centre)] : 0;
        while (first > 0 && used + widths[std::size_t(first - 1)] <= room * 2 / 3)
            used += widths[std::size_t(--first)];
        while (last + 1 < n && used + widths[std::size_t(last + 1)] <= room)
            used += widths[std::size_t(++last)];
        while (first > 0 && used + widths[std::size_t(first - 1)] <= room)
            used += widths[std::size_t(--first)];
        int x = left;
        if (first > 0) {
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(QRect(x - 14, y, 12, rh), Qt::AlignCenter, QStringLiteral("…"));
        }
        for (int t = first; t <= last && n > 0; ++t) {
            const Token& token = row.tokens[std::size_t(t)];
            const QRect box(x, y + 1, widths[std::size_t(t)], rh - 2);
            if (token.known && token.activation > 0.0f)
                p.fillRect(box, shade(token.activation, m_scale));
            if (t == row.centre) {
                p.setPen(QPen(pal.color(QPalette::Text), 1.5));
                p.drawRect(box.adjusted(0, 0, -1, -1));
            }
            p.setPen(token.known ? pal.color(QPalette::Text) : pal.color(QPalette::PlaceholderText));
            p.drawText(t == row.centre ? box.adjusted(2, 0, -2, 0) : box, Qt::AlignLeft | Qt::AlignVCenter, texts[std::size_t(t)]);
            x += widths[std::size_t(t)];
        }
    }
}
