#include "plots/PlotTextFitter.h"

#include <QFontMetrics>
#include <QPicture>
#include <QStringList>

#include <algorithm>
#include <vector>

namespace {

// The caller's text for an item whose shown text we may have wrapped: what it shows now, unless that is exactly
// what we last put there.
QString originalText(const QObject* item, const QString& shown)
{
    const QVariant fitted = item->property("fsFittedText");
    return fitted.isValid() && fitted.toString() == shown ? item->property("fsFullText").toString() : shown;
}

void remember(QObject* item, const QString& full, const QString& fitted)
{
    item->setProperty("fsFullText", full);
    item->setProperty("fsFittedText", fitted);
}

// How many legend items fit side by side in `width` px, at most `wanted` (items fill rows first, as the plots'
// legends below the axes do); at least one.
int fittingColumns(const QCPLegend* legend, int wanted, int width)
{
    const int count = legend->itemCount();
    for (int columns = std::min(wanted, count); columns > 1; --columns) {
        std::vector<int> widths(std::size_t(columns), 0);
        for (int i = 0; i < count; ++i)
            if (const QCPAbstractLegendItem* item = legend->item(i))
                widths[std::size_t(i % columns)] = std::max(widths[std::size_t(i % columns)],
                                                            item->minimumOuterSizeHint().width());
        int total = legend->margins().left() + legend->margins().right() + (columns - 1) * legend->columnSpacing();
        for (int w : widths)
            total += w;
        if (total <= width)
            return columns;
    }
    return 1;
}

// A legend outside the axes, filled row by row, wraps onto as many rows as its width needs. The caller's column
// count (0: all in one row) stays the most it gets; true when the legend changed.
bool fitLegend(QCustomPlot* plot, int width)
{
    QCPLegend* legend = plot->legend;
    if (!legend || !legend->visible() || legend->itemCount() < 2 || legend->fillOrder() != QCPLayoutGrid::foColumnsFirst)
        return false;
    for (QCPAxisRect* rect : plot->axisRects())
        if (legend->layout() == rect->insetLayout())
            return false; // inside the axes: placed by its plot
    const QVariant fitted = legend->property("fsFittedWrap");
    const int wanted = fitted.isValid() && fitted.toInt() == legend->wrap() ? legend->property("fsWantedWrap").toInt()
                                                                            : legend->wrap();
    const int columns = fittingColumns(legend, wanted > 0 ? wanted : legend->itemCount(), width);
    const int wrap = wanted > 0 || columns < legend->itemCount() ? columns : 0;
    legend->setProperty("fsWantedWrap", wanted);
    legend->setProperty("fsFittedWrap", wrap);
    if (wrap == legend->wrap())
        return false;
    legend->setWrap(wrap);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-flows the items into the new rows
    return true;
}

// Every title and axis label the plot shows, to tell whether a layout pass changed any of them.
QString shownText(const QCustomPlot* plot)
{
    QStringList texts;
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i)))
            texts << title->text();
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes())
            texts << axis->label();
    if (plot->legend)
        texts << QString::number(plot->legend->wrap());
    return texts.join(QChar(0x1f));
}

} // namespace

QString PlotTextFitter::wrap(const QString& text, const QFont& font, int width)
{
    const QFontMetrics fm(font);
    QStringList out;
    for (const QString& paragraph : text.split(QLatin1Char('\n'))) {
        if (fm.horizontalAdvance(paragraph) <= width) {
            out << paragraph;
            continue;
        }
        QString line;
        for (const QString& word : paragraph.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const QString candidate = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
            if (!line.isEmpty() && fm.horizontalAdvance(candidate) > width) {
                out << line;
                line = word;
            } else {
                line = candidate;
            }
        }
        out << line;
    }
    return out.join(QLatin1Char('\n'));
}

void PlotTextFitter::follow(QCustomPlot* plot)
{
    QObject::connect(plot, &QCustomPlot::afterLayout, plot, [plot] {
        // Bounded: text that keeps changing the layout it is fitted to settles for what the fourth pass gives.
        const int passes = plot->property("fsFitPasses").toInt();
        if (fit(plot) && passes < 4) {
            plot->setProperty("fsFitPasses", passes + 1);
            plot->replot(QCustomPlot::rpQueuedReplot);
        } else {
            plot->setProperty("fsFitPasses", 0);
        }
    });
}

bool PlotTextFitter::fitItem(QCPItemText* item, int width)
{
    if (!item || width <= 0)
        return false;
    const QString full = originalText(item, item->text());
    const QString fitted = wrap(full, item->font(), width);
    remember(item, full, fitted);
    if (fitted == item->text())
        return false;
    item->setText(fitted);
    return true;
}

void PlotTextFitter::settle(QCustomPlot* plot, const QSize& size)
{
    if (!plot || size.isEmpty())
        return;
    for (int pass = 0; pass < 4; ++pass) {
        // Fitted after toPainter's layout (by follow()'s hook, or here for a plot that does not follow the theme);
        // a pass that changes nothing has settled.
        const QString before = shownText(plot);
        QPicture scratch;
        QCPPainter painter(&scratch);
        plot->toPainter(&painter, size.width(), size.height());
        painter.end();
        // toPainter restored the widget's viewport; the axis rects keep the layout at `size`.
        const QRect viewport = plot->viewport();
        plot->setViewport(QRect(QPoint(0, 0), size));
        const bool fitted = fit(plot);
        plot->setViewport(viewport);
        if (!fitted && shownText(plot) == before)
            break;
    }
}

bool PlotTextFitter::fit(QCustomPlot* plot)
{
    if (!plot)
        return false;
    constexpr int kMargin = 8; // px left free beside wrapped text
    const int width = plot->viewport().width() - kMargin;
    if (width <= 0)
        return false;
    bool changed = false;
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i) {
        auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i));
        if (!title)
            continue;
        const QString full = originalText(title, title->text());
        const QString fitted = wrap(full, title->font(), width);
        remember(title, full, fitted);
        if (fitted != title->text()) {
            title->setText(fitted);
            changed = true;
        }
    }
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes()) {
            if (!axis->visible() || axis->label().isEmpty())
                continue;
            const int length = (axis->orientation() == Qt::Horizontal ? rect->width() : rect->height()) - kMargin;
            if (length <= 0)
                continue; // not laid out yet
            const QString full = originalText(axis, axis->label());
            const QString fitted = wrap(full, axis->labelFont(), length);
            remember(axis, full, fitted);
            if (fitted != axis->label()) {
                axis->setLabel(fitted);
                changed = true;
            }
        }
    return fitLegend(plot, width) || changed;
}
