#pragma once

// Finds what a user would call a broken layout in a visible widget tree, without knowing the widgets: text cut off
// in labels, buttons and tabs; a widget cut off by its parent or overlapping a sibling in the same layout; a plot
// title or axis label wider than its plot; a legend entry cut off (given less width than it needs, or drawn outside
// its plot); text on the data (a QCPItemText: notes, reference labels) reaching out of the plot. A plot laid out smaller
// than its layout's minimum (QCustomPlot then aborts the layout) is reported too. Each problem names the widget (class, objectName or text) and the
// sizes, so a failing test says what to fix.
#include <QAbstractButton>
#include <QCheckBox>
#include <QLabel>
#include <QLayout>
#include <QScrollArea>
#include <QStackedWidget>
#include <QHeaderView>
#include <QStringList>
#include <QTabBar>
#include <QTextDocument>
#include <QWidget>

#include "plots/QCustomPlotInclude.h"

namespace LayoutInspector {

inline QString describe(const QWidget* w)
{
    QString text;
    if (const auto* label = qobject_cast<const QLabel*>(w))
        text = label->text();
    else if (const auto* button = qobject_cast<const QAbstractButton*>(w))
        text = button->text();
    text = text.simplified();
    if (text.size() > 40)
        text = text.left(37) + QStringLiteral("...");
    QString name = QString::fromLatin1(w->metaObject()->className());
    if (!w->objectName().isEmpty())
        name += QStringLiteral(" '%1'").arg(w->objectName());
    if (!text.isEmpty())
        name += QStringLiteral(" \"%1\"").arg(text);
    return name;
}

inline bool insideScrollArea(const QWidget* w)
{
    for (const QWidget* p = w->parentWidget(); p; p = p->parentWidget())
        if (qobject_cast<const QScrollArea*>(p))
            return true;
    return false;
}

inline void inspectLegend(QCustomPlot* plot, QStringList& problems)
{
    QCPLegend* legend = plot->legend;
    if (!legend || !legend->visible())
        return;
    const QRect viewport = plot->viewport().adjusted(-1, -1, 1, 1);
    for (int i = 0; i < legend->itemCount(); ++i) {
        QCPAbstractLegendItem* item = legend->item(i);
        if (!item || !item->visible())
            continue;
        const QRect rect = item->outerRect();
        const int needed = item->minimumOuterSizeHint().width();
        QString name = QStringLiteral("entry %1").arg(i);
        if (auto* plottable = qobject_cast<QCPPlottableLegendItem*>(item))
            name = QStringLiteral("\"%1\"").arg(plottable->plottable()->name().left(40));
        if (rect.width() + 1 < needed)
            problems << QStringLiteral("%1: legend %2 needs %3 px, has %4").arg(describe(plot), name).arg(needed).arg(rect.width());
        else if (!viewport.contains(rect))
            problems << QStringLiteral("%1: legend %2 at %3,%4 %5x%6 leaves the plot (%7x%8)")
                            .arg(describe(plot), name).arg(rect.x()).arg(rect.y()).arg(rect.width()).arg(rect.height())
                            .arg(viewport.width() - 2).arg(viewport.height() - 2);
    }
}

// Visible text items must lie within the plot: a label drawn past the edge is cut off.
inline void inspectTextItems(QCustomPlot* plot, QStringList& problems)
{
    const QRectF viewport = QRectF(plot->viewport()).adjusted(-2, -2, 2, 2);
    for (int i = 0; i < plot->itemCount(); ++i) {
        auto* text = qobject_cast<QCPItemText*>(plot->item(i));
        if (!text || !text->visible() || text->text().trimmed().isEmpty())
            continue;
        const QRectF box = QRectF(text->topLeft->pixelPosition(), text->bottomRight->pixelPosition()).normalized();
        const QRectF space = text->clipToAxisRect() && text->clipAxisRect()
                                 ? QRectF(text->clipAxisRect()->rect()).adjusted(-2, -2, 2, 2)
                                 : viewport;
        if (box.isValid() && !space.contains(box))
            problems << QStringLiteral("%1: text \"%2\" (%3,%4 %5x%6) is cut by its %7 (%8x%9)")
                            .arg(describe(plot), text->text().simplified().left(40))
                            .arg(int(box.x())).arg(int(box.y())).arg(int(box.width())).arg(int(box.height()))
                            .arg(space == viewport ? QStringLiteral("plot") : QStringLiteral("axes"))
                            .arg(int(space.width()) - 4).arg(int(space.height()) - 4);
    }
}

inline void inspectPlot(QCustomPlot* plot, QStringList& problems)
{
    const QRect viewport = plot->viewport();
    const QSize minimum = plot->plotLayout()->minimumOuterSizeHint();
    if (minimum.width() > viewport.width() + 1 || minimum.height() > viewport.height() + 1)
        problems << QStringLiteral("%1: laid out at %2x%3, below its layout's minimum %4x%5")
                        .arg(describe(plot)).arg(viewport.width()).arg(viewport.height())
                        .arg(minimum.width()).arg(minimum.height());
    inspectLegend(plot, problems);
    inspectTextItems(plot, problems);
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) {
            const QFontMetrics fm(title->font());
            int widest = 0;
            for (const QString& line : title->text().split(QLatin1Char('\n')))
                widest = std::max(widest, fm.horizontalAdvance(line));
            if (widest > viewport.width())
                problems << QStringLiteral("%1: title \"%2\" is %3 px wide in a %4 px plot")
                                .arg(describe(plot), title->text().left(40)).arg(widest).arg(viewport.width());
        }
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes()) {
            if (!axis->visible() || axis->label().isEmpty())
                continue;
            const QFontMetrics fm(axis->labelFont());
            const int length = axis->orientation() == Qt::Horizontal ? rect->width() : rect->height();
            int needed = 0;
            for (const QString& line : axis->label().split(QLatin1Char('\n')))
                needed = std::max(needed, fm.horizontalAdvance(line));
            if (length > 0 && needed > length + 2)
                problems << QStringLiteral("%1: axis label \"%2\" needs %3 px beside an axis of %4 px")
                                .arg(describe(plot), axis->label()).arg(needed).arg(length);
        }
}

inline QStringList inspect(QWidget* root)
{
    QStringList problems;
    const QList<QWidget*> all = root->findChildren<QWidget*>();
    for (QWidget* w : all) {
        if (!w->isVisibleTo(root) || w->width() <= 0 || w->height() <= 0 || w->isWindow())
            continue;
        if (auto* label = qobject_cast<QLabel*>(w)) {
            const bool rich = label->textFormat() == Qt::RichText ||
                              (label->textFormat() == Qt::AutoText && Qt::mightBeRichText(label->text()));
            if (!label->text().isEmpty() && !label->wordWrap() && !rich && label->pixmap().isNull()) {
                const QFontMetrics fm(label->font());
                int widest = 0;
                const QStringList lines = label->text().split(QLatin1Char('\n'));
                for (const QString& line : lines)
                    widest = std::max(widest, fm.horizontalAdvance(line));
                const QRect space = label->contentsRect();
                if (widest > space.width() + 1)
                    problems << QStringLiteral("%1: text needs %2 px, has %3").arg(describe(w)).arg(widest).arg(space.width());
                else if (fm.height() * int(lines.size()) > space.height() + 2)
                    problems << QStringLiteral("%1: %2 line(s) of text need %3 px of height, have %4")
                                    .arg(describe(w)).arg(lines.size()).arg(fm.height() * int(lines.size())).arg(space.height());
            }
        } else if (auto* button = qobject_cast<QAbstractButton*>(w)) {
            if (!button->text().isEmpty() && button->sizeHint().width() > button->width() + 1 &&
                !qobject_cast<QTabBar*>(button->parentWidget()))
                problems << QStringLiteral("%1: needs %2 px, has %3").arg(describe(w)).arg(button->sizeHint().width()).arg(button->width());
        } else if (auto* tabs = qobject_cast<QTabBar*>(w)) {
            for (int i = 0; i < tabs->count(); ++i)
                if (tabs->isTabVisible(i) && tabs->tabRect(i).width() + 1 < tabs->fontMetrics().horizontalAdvance(tabs->tabText(i)))
                    problems << QStringLiteral("%1: tab \"%2\" is cut to %3 px").arg(describe(w), tabs->tabText(i)).arg(tabs->tabRect(i).width());
        } else if (auto* plot = qobject_cast<QCustomPlot*>(w)) {
            inspectPlot(plot, problems);
        } else if (auto* header = qobject_cast<QHeaderView*>(w); header && header->orientation() == Qt::Horizontal) {
            // Column titles: the text plus a little padding must fit its section (the sort indicator may overlap).
            const QFontMetrics fm(header->font());
            for (int c = 0; c < header->count() && header->model(); ++c) {
                const QString title = header->model()->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
                if (header->isSectionHidden(c) || title.isEmpty())
                    continue;
                const int needed = fm.horizontalAdvance(title) + 6;
                if (header->sectionSize(c) < needed)
                    problems << QStringLiteral("%1: column title \"%2\" needs %3 px, has %4")
                                    .arg(describe(w), title).arg(needed).arg(header->sectionSize(c));
            }
        }
        // Layout-managed widgets must lie inside their parent and not on each other (scroll areas may be larger).
        QWidget* parent = w->parentWidget();
        if (!parent || !parent->layout() || parent->layout()->indexOf(w) < 0 || insideScrollArea(w) ||
            qobject_cast<QStackedWidget*>(parent))
            continue;
        if (!parent->rect().adjusted(-1, -1, 1, 1).contains(w->geometry()))
            problems << QStringLiteral("%1: geometry %2,%3 %4x%5 leaves its parent %6 (%7x%8)")
                            .arg(describe(w)).arg(w->x()).arg(w->y()).arg(w->width()).arg(w->height())
                            .arg(describe(parent)).arg(parent->width()).arg(parent->height());
        for (QWidget* sibling : parent->findChildren<QWidget*>(Qt::FindDirectChildrenOnly)) {
            if (sibling <= w || !sibling->isVisibleTo(root) || parent->layout()->indexOf(sibling) < 0)
                continue;
            const QRect overlap = w->geometry().intersected(sibling->geometry());
            if (overlap.width() > 2 && overlap.height() > 2)
                problems << QStringLiteral("%1 overlaps %2 by %3x%4 px")
                                .arg(describe(w), describe(sibling)).arg(overlap.width()).arg(overlap.height());
        }
    }
    problems.removeDuplicates();
    return problems;
}

} // namespace LayoutInspector
