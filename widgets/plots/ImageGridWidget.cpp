#include "plots/ImageGridWidget.h"

#include "plots/FeaturePalette.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {
constexpr int kSpacing = 6;
constexpr int kMargin = 4;
} // namespace

ImageGridWidget::ImageGridWidget(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setAutoFillBackground(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_emptyText = tr("no examples");
}

void ImageGridWidget::setTitle(const QString& title)
{
    m_title = title;
    update();
}

void ImageGridWidget::setTiles(std::vector<Tile> tiles)
{
    m_tiles = std::move(tiles);
    m_images.clear();
    for (const auto& t : m_tiles)
        m_images.push_back(tileImage(t, m_map));
    if (m_highlight >= tileCount())
        m_highlight = -1;
    update();
}

void ImageGridWidget::clear() { setTiles({}); }

void ImageGridWidget::setColourMap(ColourMap map)
{
    if (map == m_map)
        return;
    m_map = map;
    m_images.clear();
    for (const auto& t : m_tiles)
        m_images.push_back(tileImage(t, m_map));
    update();
}

void ImageGridWidget::setEmptyText(const QString& text)
{
    m_emptyText = text;
    update();
}

void ImageGridWidget::setMaxColumns(int columns)
{
    m_maxColumns = std::max(0, columns);
    update();
}

void ImageGridWidget::setHighlightedTile(int index)
{
    m_highlight = index;
    update();
}

QImage ImageGridWidget::tileImage(const Tile& tile, ColourMap map)
{
    if (tile.rows <= 0 || tile.cols <= 0 || tile.pixels.size() < std::size_t(tile.rows) * std::size_t(tile.cols))
        return {};
    QImage image(tile.cols, tile.rows, QImage::Format_RGB32);
    const float span = tile.high > tile.low ? tile.high - tile.low : 1.0f;
    for (int r = 0; r < tile.rows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(r));
        for (int c = 0; c < tile.cols; ++c) {
            const float v = tile.pixels[std::size_t(r) * tile.cols + c];
            const double t = std::isfinite(v) ? std::clamp(double(v - tile.low) / span, 0.0, 1.0) : 0.0;
            if (map == ColourMap::Viridis) {
                line[c] = FeaturePalette::sequentialColor(t).rgb();
            } else {
                const int g = int(std::lround(255.0 * t));
                line[c] = qRgb(g, g, g);
            }
        }
    }
    return image;
}

int ImageGridWidget::titleHeight() const
{
    if (m_title.isEmpty())
        return 0;
    return QFontMetrics(FeaturePalette::font(11.0, true)).height() + 4;
}

int ImageGridWidget::captionLines() const
{
    int lines = 0;
    for (const auto& t : m_tiles)
        if (!t.caption.isEmpty())
            lines = std::max(lines, int(t.caption.count(QLatin1Char('\n'))) + 1);
    return lines;
}

ImageGridWidget::Layout ImageGridWidget::computeLayout() const
{
    Layout best;
    const int n = tileCount();
    if (n == 0)
        return best;
    const int captionHeight = captionLines() * QFontMetrics(FeaturePalette::font(10.0)).height();
    const int width = std::max(1, this->width() - 2 * kMargin);
    const int height = std::max(1, this->height() - titleHeight() - 2 * kMargin);
    const int imageSize = std::max(1, std::max(m_tiles.front().rows, m_tiles.front().cols));
    const int maxColumns = m_maxColumns > 0 ? std::min(m_maxColumns, n) : n;
    best.side = -1;
    for (int c = 1; c <= maxColumns; ++c) {
        const int r = (n + c - 1) / c;
        const int cellWidth = (width - (c - 1) * kSpacing) / c;
        const int cellHeight = (height - (r - 1) * kSpacing) / r;
        int side = std::min(cellWidth, cellHeight - captionHeight);
        if (side >= 2 * imageSize)
            side = (side / imageSize) * imageSize; // whole pixels: every source pixel the same size
        if (side > best.side) {
            best.columns = c;
            best.rows = r;
            best.side = side;
        }
    }
    best.side = std::max(best.side, 4);
    // Cells as wide as the caption needs but never wider than the share of the width.
    const int shareWidth = (width - (best.columns - 1) * kSpacing) / best.columns;
    best.cellWidth = std::max(best.side, std::min(shareWidth, best.side + 40));
    best.cellHeight = best.side + captionHeight;
    const int gridWidth = best.columns * best.cellWidth + (best.columns - 1) * kSpacing;
    best.left = kMargin + std::max(0, (width - gridWidth) / 2);
    best.top = kMargin + titleHeight();
    return best;
}

QRect ImageGridWidget::imageRect(int index) const
{
    if (index < 0 || index >= tileCount())
        return {};
    const Layout l = computeLayout();
    const int row = index / l.columns;
    const int col = index % l.columns;
    const int x = l.left + col * (l.cellWidth + kSpacing) + (l.cellWidth - l.side) / 2;
    const int y = l.top + row * (l.cellHeight + kSpacing);
    return QRect(x, y, l.side, l.side);
}

int ImageGridWidget::tileAt(const QPoint& pos) const
{
    for (int i = 0; i < tileCount(); ++i)
        if (imageRect(i).adjusted(-2, -2, 2, 2).contains(pos))
            return i;
    return -1;
}

QSize ImageGridWidget::sizeHint() const { return QSize(420, 160); }

QSize ImageGridWidget::minimumSizeHint() const { return QSize(120, 70); }

void ImageGridWidget::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    // Colours from the palette, not fixed greys, so the grid reads on the dark theme as well as on white.
    const QPalette& pal = palette();
    const QColor text = pal.color(QPalette::Text);
    painter.fillRect(rect(), pal.color(QPalette::Base));
    if (!m_title.isEmpty()) {
        painter.setFont(FeaturePalette::font(11.0, true));
        painter.setPen(text);
        painter.drawText(QRect(kMargin, kMargin / 2, width() - 2 * kMargin, titleHeight()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         painter.fontMetrics().elidedText(m_title, Qt::ElideRight, width() - 2 * kMargin));
    }
    if (m_tiles.empty()) {
        painter.setFont(FeaturePalette::font(11.0));
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(0, titleHeight(), 0, 0), Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
        return;
    }
    const Layout l = computeLayout();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    const QFont captionFont = FeaturePalette::font(10.0);
    painter.setFont(captionFont);
    const QFontMetrics metrics(captionFont);
    for (int i = 0; i < tileCount(); ++i) {
        const QRect target = imageRect(i);
        if (target.top() > height())
            break;
        if (!m_images[std::size_t(i)].isNull())
            painter.drawImage(target, m_images[std::size_t(i)]);
        painter.setPen(QPen(pal.color(QPalette::Mid), 1));
        painter.drawRect(target.adjusted(0, 0, -1, -1));
        if (i == m_highlight) {
            painter.setPen(QPen(text, 2)); // the selection colour of the light theme, readable on dark
            painter.drawRect(target.adjusted(-2, -2, 1, 1));
        }
        const QString& caption = m_tiles[std::size_t(i)].caption;
        if (caption.isEmpty())
            continue;
        const QStringList lines = caption.split(QLatin1Char('\n'));
        const int cellLeft = target.center().x() - l.cellWidth / 2;
        painter.setPen(text);
        for (int k = 0; k < lines.size(); ++k) {
            const QRect textRect(cellLeft, target.bottom() + 1 + k * metrics.height(), l.cellWidth, metrics.height());
            painter.drawText(textRect, Qt::AlignHCenter | Qt::AlignTop,
                             metrics.elidedText(lines[k], Qt::ElideRight, l.cellWidth));
        }
    }
}

void ImageGridWidget::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        const int index = tileAt(event->position().toPoint());
        if (index >= 0)
            Q_EMIT tileClicked(index);
    }
    QWidget::mouseReleaseEvent(event);
}

bool ImageGridWidget::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int index = tileAt(help->pos());
        if (index >= 0 && !m_tiles[std::size_t(index)].toolTip.isEmpty())
            QToolTip::showText(help->globalPos(), m_tiles[std::size_t(index)].toolTip, this);
        else if (!toolTip().isEmpty())
            QToolTip::showText(help->globalPos(), toolTip(), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}
