#include "plots/InteractivePlot.h"

#include "plots/FeaturePalette.h"
#include "plots/FreshAxisMargins.h"

#include <QMouseEvent>
#include <QToolTip>

InteractivePlot::InteractivePlot(QWidget* parent) : QCustomPlot(parent)
{
    FreshAxisMargins::install(this);
    setBackground(Qt::white);
    setAntialiasedElements(QCP::aeAll);
    setMouseTracking(true);
}

QFont InteractivePlot::textFont() { return FeaturePalette::font(10.0); }
QFont InteractivePlot::labelFont() { return FeaturePalette::font(11.0); }
QFont InteractivePlot::titleFont() { return FeaturePalette::font(12.0, true); }

QCPTextElement* InteractivePlot::addTitle(const QString& text)
{
    plotLayout()->insertRow(0);
    auto* title = new QCPTextElement(this, text, titleFont());
    plotLayout()->addElement(0, 0, title);
    return title;
}

QCPItemText* InteractivePlot::addEmptyText(const QString& text)
{
    auto* item = new QCPItemText(this);
    item->position->setType(QCPItemPosition::ptAxisRectRatio);
    item->position->setCoords(0.5, 0.5);
    item->setPositionAlignment(Qt::AlignCenter);
    item->setFont(labelFont());
    item->setColor(QColor(130, 130, 130));
    item->setText(text);
    return item;
}

void InteractivePlot::legendBelow()
{
    axisRect()->insetLayout()->take(legend);
    auto* row = new QCPLayoutGrid;
    plotLayout()->addElement(2, 0, row);
    row->addElement(0, 0, new QCPLayoutElement(this));
    row->addElement(0, 1, legend);
    row->addElement(0, 2, new QCPLayoutElement(this));
    row->setColumnStretchFactors({1.0, 0.001, 1.0});
    plotLayout()->setRowStretchFactors({0.001, 1.0, 0.001});
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    legend->setFont(textFont());
    legend->setBrush(Qt::NoBrush);
    legend->setBorderPen(Qt::NoPen);
    legend->setMargins(QMargins(4, 0, 4, 2));
}

void InteractivePlot::legendBeside()
{
    axisRect()->insetLayout()->take(legend);
    auto* side = new QCPLayoutGrid;
    plotLayout()->addElement(1, 1, side);
    side->addElement(0, 0, legend);
    side->expandTo(2, 1);
    side->setRowStretchFactors({0.001, 1.0});
    plotLayout()->setColumnStretchFactors({1.0, 0.001});
    plotLayout()->setRowStretchFactors({0.001, 1.0});
    legend->setFont(textFont());
    legend->setBrush(Qt::NoBrush);
    legend->setBorderPen(Qt::NoPen);
    legend->setMargins(QMargins(6, 4, 8, 4));
}

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
