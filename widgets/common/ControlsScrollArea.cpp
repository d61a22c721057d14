#include "common/ControlsScrollArea.h"

#include <QEvent>
#include <QScrollBar>

#include <algorithm>

ControlsScrollArea::ControlsScrollArea(QWidget* contents, int maximumFontWidths, QWidget* parent)
    : QScrollArea(parent), m_maximumFontWidths(maximumFontWidths)
{
    setWidget(contents);
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
}

int ControlsScrollArea::contentsWidth(int wanted) const
{
    // Room for the vertical scroll bar is always kept, so the column does not jump when it appears.
    const int extra = verticalScrollBar()->sizeHint().width() + 2 * frameWidth();
    const int cap = m_maximumFontWidths * fontMetrics().averageCharWidth();
    const int needed = widget() ? widget()->minimumSizeHint().width() : 0;
    return std::max(needed, std::min(wanted, cap)) + extra;
}

QSize ControlsScrollArea::minimumSizeHint() const
{
    return {contentsWidth(0), QScrollArea::minimumSizeHint().height()};
}

QSize ControlsScrollArea::sizeHint() const
{
    return {contentsWidth(widget() ? widget()->sizeHint().width() : 0), QScrollArea::sizeHint().height()};
}

bool ControlsScrollArea::event(QEvent* event)
{
    const bool handled = QScrollArea::event(event);
    // A theme's style sheet or font changes the width the contents need.
    if (event->type() == QEvent::StyleChange || event->type() == QEvent::FontChange ||
        event->type() == QEvent::LayoutRequest)
        updateGeometry();
    return handled;
}
