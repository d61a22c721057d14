#include "plots/InteractivePlot.h"

#include "plots/FreshAxisMargins.h"

#include <QMouseEvent>
#include <QToolTip>

InteractivePlot::InteractivePlot(QWidget* parent) : QCustomPlot(parent) { FreshAxisMargins::install(this); }

void InteractivePlot::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = event->position();
    QCustomPlot::mousePressEvent(event);
}

void InteractivePlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    const QString text = hoverText(event->position());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void InteractivePlot::mouseReleaseEvent(QMouseEvent* event)
{
    QCustomPlot::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || (event->position() - m_pressPos).manhattanLength() > 5)
        return;
    plotClicked(event->position());
}
