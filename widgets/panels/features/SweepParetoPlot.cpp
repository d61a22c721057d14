#include "SweepParetoPlot.h"

#include "plots/ColorMaps.h"
#include "plots/FeaturePalette.h"
#include "plots/LogNiceTicker.h"

#include <algorithm>
#include <cmath>
#include <limits>

using featurescope::SaeSweepPoint;
using featurescope::SaeSweepSeries;

namespace {

QString parameterSymbol(const SaeSweepSeries& s) { return s.spec.sweepsK() ? QStringLiteral("k") : QStringLiteral("λ"); }

QString number(double v) { return QString::number(v, 'g', 3); }

} // namespace

const std::vector<SweepParetoPlot::Metric>& SweepParetoPlot::metrics()
{
    static const std::vector<Metric> list{
        {"mse", QObject::tr("MSE (reconstruction)"), QObject::tr("MSE"), true},
        {"fvu", QObject::tr("1 − explained variance"), QObject::tr("unexplained variance"), true},
        {"mmcs", QObject::tr("MMCS (true features recovered)"), QObject::tr("MMCS"), false},
        {"mcc", QObject::tr("MCC (Hungarian matching)"), QObject::tr("MCC"), false},
        {"dead_fraction", QObject::tr("dead fraction"), QObject::tr("dead fraction"), false},
    };
    return list;
}

SweepParetoPlot::SweepParetoPlot(QWidget* parent) : InteractivePlot(parent)
{
    setMinimumSize(320, 240);
    m_title = addTitle(tr("Sparsity against reconstruction"));
    legendBelow();
    legend->setVisible(true);
    FeaturePalette::styleAxis(xAxis, tr("L0 (active latents per input)"));
    FeaturePalette::styleAxis(yAxis);
    xAxis->setScaleType(QCPAxis::stLogarithmic);
    xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new LogNiceTicker));
    m_empty = addEmptyText(tr("Run a sweep to draw the trade-off"));
    setMetric(m_metric);
}

int SweepParetoPlot::pointCount(int series) const
{
    return series >= 0 && series < seriesCount() ? m_graphs[std::size_t(series)]->data()->size() : 0;
}

void SweepParetoPlot::setSeries(const std::vector<SaeSweepSeries>& series)
{
    m_series = series;
    redraw();
}

void SweepParetoPlot::setMetric(const std::string& key)
{
    m_metric = key;
    const auto it = std::find_if(metrics().begin(), metrics().end(), [&](const Metric& m) { return m.key == key; });
    const Metric& metric = it == metrics().end() ? metrics().front() : *it;
    yAxis->setLabel(metric.label);
    yAxis->setScaleType(metric.log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    yAxis->setTicker(metric.log ? QSharedPointer<QCPAxisTicker>(new LogNiceTicker)
                                : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_titleBase = tr("L0 against %1").arg(metric.shortName);
    redraw();
}

void SweepParetoPlot::clear(const QString& emptyText)
{
    m_series.clear();
    redraw();
    m_empty->setText(emptyText);
}

double SweepParetoPlot::valueOf(const SaeSweepPoint& p, double* spread) const
{
    if (m_metric == "fvu") {
        *spread = p.stdOf("explained_variance");
        return p.has("explained_variance") ? 1.0 - p.meanOf("explained_variance") : std::nan("");
    }
    *spread = p.stdOf(m_metric);
    return p.has(m_metric) ? p.meanOf(m_metric) : std::nan("");
}

void SweepParetoPlot::redraw()
{
    clearPlottables(); // graphs and error bars
    m_graphs.clear();
    m_fronts.clear();
    m_errorBars.clear();
    for (QCPItemText* label : m_labels)
        removeItem(label);
    m_labels.clear();
    legend->clearItems();
    const bool logY = yAxis->scaleType() == QCPAxis::stLogarithmic;
    double xMin = INFINITY, xMax = -INFINITY, yMin = INFINITY, yMax = -INFINITY;
    int seeds = 0;
    for (std::size_t s = 0; s < m_series.size(); ++s) {
        const SaeSweepSeries& series = m_series[s];
        const QColor color = ColorMaps::categorical(int(s));
        auto* graph = addGraph();
        auto* front = addGraph();
        QString range;
        if (!series.spec.values.empty()) {
            const auto [lo, hi] = std::minmax_element(series.spec.values.begin(), series.spec.values.end());
            range = *lo == *hi ? number(*lo) : number(*lo) + QStringLiteral("–") + number(*hi);
        }
        graph->setName(QStringLiteral("%1 (%2 %3)").arg(QString::fromStdString(series.spec.displayName()),
                                                         parameterSymbol(series), range));
        graph->setPen(QPen(color, 2.0));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(color, 2.0), QBrush(Qt::white), 9));
        graph->setLineStyle(QCPGraph::lsLine);
        front->setLineStyle(QCPGraph::lsNone);
        front->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(color, 2.0), QBrush(color), 9));
        front->removeFromLegend();
        auto* xBars = new QCPErrorBars(xAxis, yAxis);
        auto* yBars = new QCPErrorBars(xAxis, yAxis);
        xBars->setErrorType(QCPErrorBars::etKeyError);
        yBars->setErrorType(QCPErrorBars::etValueError);
        for (QCPErrorBars* bars : {xBars, yBars}) {
            bars->setPen(QPen(color, 1.4));
            bars->setWhiskerWidth(7);
            bars->removeFromLegend();
        }
        QVector<double> x, y, fx, fy;
        QVector<QCPErrorBarsData> xErr, yErr;
        for (const SaeSweepPoint& p : series.points) {
            double spread = 0.0;
            const double v = valueOf(p, &spread);
            const double l0 = p.meanOf("l0", std::nan(""));
            if (!std::isfinite(v) || !std::isfinite(l0) || l0 <= 0.0 || (logY && v <= 0.0))
                continue;
            seeds = std::max(seeds, int(p.runs.size()));
            const double l0Spread = p.stdOf("l0");
            x << l0;
            y << v;
            // On a log axis a bar below zero cannot be drawn: it stops at a tenth of the value.
            xErr << QCPErrorBarsData(std::min(l0Spread, 0.9 * l0), l0Spread);
            yErr << QCPErrorBarsData(logY ? std::min(spread, 0.9 * v) : spread, spread);
            if (p.pareto) {
                fx << l0;
                fy << v;
            }
            // Each point names its value, up and right of the marker (hover gives the numbers).
            auto* label = new QCPItemText(this);
            label->position->setCoords(l0, v);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setPadding(QMargins(5, 0, 0, 3));
            label->setFont(textFont());
            label->setColor(color.darker(115));
            label->setText(QStringLiteral("%1 %2").arg(parameterSymbol(series), number(p.value)));
            m_labels.push_back(label);
            xMin = std::min(xMin, l0 - std::min(l0Spread, 0.9 * l0));
            xMax = std::max(xMax, l0 + l0Spread);
            yMin = std::min(yMin, v - (logY ? std::min(spread, 0.9 * v) : spread));
            yMax = std::max(yMax, v + spread);
        }
        graph->setData(x, y, true);
        front->setData(fx, fy, true);
        xBars->setData(QSharedPointer<QCPErrorBarsDataContainer>(new QCPErrorBarsDataContainer(xErr)));
        yBars->setData(QSharedPointer<QCPErrorBarsDataContainer>(new QCPErrorBarsDataContainer(yErr)));
        xBars->setDataPlottable(graph);
        yBars->setDataPlottable(graph);
        m_graphs.push_back(graph);
        m_fronts.push_back(front);
        m_errorBars.push_back(xBars);
        m_errorBars.push_back(yBars);
    }
    const bool any = std::isfinite(xMin);
    m_empty->setVisible(!any);
    if (any) {
        // Room around the points: a fifth of a decade on log axes, 8 % of the span on linear ones.
        xAxis->setRange(xMin / 1.6, xMax * 2.6); // room for the last point's label
        if (logY) {
            yAxis->setRange(yMin / 1.6, yMax * 2.0);
        } else {
            const double pad = std::max(0.08 * (yMax - yMin), 0.02);
            yAxis->setRange(yMin - pad, yMax + pad);
        }
    } else {
        xAxis->setRange(1, 100);
        yAxis->setRange(logY ? 1e-3 : 0.0, 1.0);
    }
    m_title->setText(m_titleBase + (!any        ? QString()
                                    : seeds > 1 ? tr(", mean ± std over %1 seeds").arg(seeds)
                                                : tr(", one seed")));
    replot(rpQueuedReplot);
}

QString SweepParetoPlot::hoverText(const QPointF& pos) const
{
    double best = 12.0; // px
    QString text;
    for (std::size_t s = 0; s < m_series.size() && s < m_graphs.size(); ++s) {
        const SaeSweepSeries& series = m_series[s];
        for (const SaeSweepPoint& p : series.points) {
            double spread = 0.0;
            const double v = valueOf(p, &spread);
            const double l0 = p.meanOf("l0", std::nan(""));
            if (!std::isfinite(v) || !std::isfinite(l0) || l0 <= 0.0)
                continue;
            const double d = std::hypot(xAxis->coordToPixel(l0) - pos.x(), yAxis->coordToPixel(v) - pos.y());
            if (d < best) {
                best = d;
                text = tr("%1, %2 = %3 (%4 seeds)\nL0 %5 ± %6\n%7 %8 ± %9%10")
                           .arg(QString::fromStdString(series.spec.displayName()), parameterSymbol(series),
                                number(p.value))
                           .arg(p.runs.size())
                           .arg(number(l0), number(p.stdOf("l0")), yAxis->label(), number(v), number(spread),
                                p.pareto ? tr("\non the recipe's L0-MSE Pareto front") : QString());
            }
        }
    }
    return text;
}
