#include "plots/DirectionPlot.h"

#include "plots/FeaturePalette.h"


#include <algorithm>
#include <cmath>

DirectionPlot::DirectionPlot(QWidget* parent) : InteractivePlot(parent)
{
    setNotAntialiasedElements(QCP::aeGrid);
    setMinimumSize(200, 140);

    m_title = addTitle();
    legendBelow();
    plotLayout()->setRowSpacing(0);
    legend->setIconSize(18, 10);
    legend->setVisible(false);

    FeaturePalette::styleAxis(xAxis, QStringLiteral("input dimension"));
    FeaturePalette::styleAxis(yAxis, QStringLiteral("component"));
    yAxis->grid()->setZeroLinePen(QPen(QColor(120, 120, 120), 1));

    m_barPlot = new QCPBars(xAxis, yAxis);
    m_barPlot->setWidthType(QCPBars::wtPlotCoords);
    m_barPlot->setWidth(0.8);
    m_barPlot->setPen(Qt::NoPen);
    m_barPlot->setBrush(FeaturePalette::featureColor(0));
    m_barPlot->setSelectable(QCP::stNone);
    m_markerGraph = addGraph();
    m_markerGraph->setLineStyle(QCPGraph::lsNone);
    m_markerGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(FeaturePalette::featureColor(1), 1.4),
                                                   Qt::NoBrush, 5));
    m_markerGraph->setSelectable(QCP::stNone);

    m_empty = addEmptyText(QStringLiteral("no feature selected"));
}

void DirectionPlot::setTitle(const QString& title)
{
    m_title->setText(title);
    replot(rpQueuedReplot);
}

QString DirectionPlot::title() const { return m_title->text(); }

void DirectionPlot::setVectors(const std::vector<float>& bars, const QString& barsName,
                               const std::vector<float>& markers, const QString& markersName)
{
    m_bars = bars;
    m_markers = markers.size() == bars.size() ? markers : std::vector<float>{};
    m_barsName = barsName;
    m_markersName = markersName;
    QVector<double> keys, values, markerValues;
    double extent = 0.0;
    for (std::size_t i = 0; i < m_bars.size(); ++i) {
        keys << double(i);
        const double v = std::isfinite(m_bars[i]) ? m_bars[i] : 0.0;
        values << v;
        extent = std::max(extent, std::abs(v));
        if (!m_markers.empty()) {
            const double m = std::isfinite(m_markers[i]) ? m_markers[i] : 0.0;
            markerValues << m;
            extent = std::max(extent, std::abs(m));
        }
    }
    m_barPlot->setData(keys, values, true);
    m_barPlot->setName(barsName);
    m_markerGraph->setData(m_markers.empty() ? QVector<double>{} : keys, markerValues, true);
    m_markerGraph->setName(markersName);
    legend->clearItems();
    if (!m_bars.empty()) {
        m_barPlot->addToLegend();
        if (!m_markers.empty())
            m_markerGraph->addToLegend();
    }
    legend->setVisible(!m_markers.empty());
    // Fewer, larger markers when the dimension is small.
    const double size = m_bars.size() <= 64 ? 5.0 : 3.0;
    m_markerGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
                                                   QPen(FeaturePalette::featureColor(1), 1.4), Qt::NoBrush, size));
    xAxis->setRange(-0.8, std::max<double>(1.0, double(m_bars.size()) - 0.2));
    if (extent <= 0.0)
        extent = 1.0;
    yAxis->setRange(-1.1 * extent, 1.1 * extent);
    m_empty->setVisible(m_bars.empty());
    replot(rpQueuedReplot);
}

void DirectionPlot::clear() { setVectors({}, QString()); }

QString DirectionPlot::hoverText(const QPointF& pos) const
{
    if (m_bars.empty() || !axisRect()->rect().contains(pos.toPoint()))
        return QString();
    const long i = std::lround(xAxis->pixelToCoord(pos.x()));
    if (i < 0 || i >= long(m_bars.size()))
        return QString();
    QString text = QStringLiteral("dimension %1\n%2: %3").arg(i).arg(m_barsName).arg(double(m_bars[std::size_t(i)]), 0, 'f', 3);
    if (!m_markers.empty())
        text += QStringLiteral("\n%1: %2").arg(m_markersName).arg(double(m_markers[std::size_t(i)]), 0, 'f', 3);
    return text;
}

