#include "plots/StickyFractionPlot.h"

#include "plots/FeaturePalette.h"

#include <QFontMetrics>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Deterministic jitter in [-1, 1] from (instance, index): SplitMix64 finaliser.
double jitter(int instance, int index)
{
    std::uint64_t z = (std::uint64_t(std::uint32_t(instance)) << 32) ^ std::uint64_t(std::uint32_t(index));
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return double(z >> 11) / double(1ull << 53) * 2.0 - 1.0;
}

struct Reference {
    double value;
    const char* label;
    Qt::Alignment vertical;
};

// 2/5 and 3/8 are close: their labels go above and below their lines.
constexpr Reference kReferences[] = {
    {1.0, "1", Qt::AlignVCenter},        {0.75, "3/4", Qt::AlignVCenter},    {2.0 / 3.0, "2/3", Qt::AlignVCenter},
    {0.5, "1/2", Qt::AlignVCenter},      {0.4, "2/5", Qt::AlignBottom},      {0.375, "3/8", Qt::AlignTop},
};

} // namespace

QVector<double> StickyFractionPlot::referenceFractions()
{
    QVector<double> values;
    for (const Reference& r : kReferences)
        values.append(r.value);
    return values;
}

StickyFractionPlot::StickyFractionPlot(QWidget* parent) : InteractivePlot(parent)
{
    setMinimumSize(240, 200);

    m_title = addTitle(QStringLiteral("Dimensions per feature"));
    legendBelow();
    plotLayout()->setRowSpacing(2);
    legend->setVisible(true);
    legend->setWrap(2);
    legend->setColumnSpacing(24);

    FeaturePalette::styleAxis(xAxis, QStringLiteral("1/(1\u2212S)   (inverse feature density)"));
    FeaturePalette::styleAxis(yAxis, QStringLiteral("dimensions per feature"));
    xAxis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> logTicker(new QCPAxisTickerLog);
    logTicker->setSubTickCount(8);
    xAxis->setTicker(logTicker);
    xAxis->setNumberFormat(QStringLiteral("g"));
    xAxis->grid()->setSubGridVisible(true);
    xAxis->grid()->setSubGridPen(QPen(QColor(238, 238, 238), 0, Qt::DotLine));
    yAxis->setRange(0.0, 1.1);
    QSharedPointer<QCPAxisTickerFixed> yTicker(new QCPAxisTickerFixed);
    yTicker->setTickStep(0.2);
    yAxis->setTicker(yTicker);
    xAxis->setRange(1.0, 100.0);

    // Room at the right edge for the reference labels (drawn outside the axis rect); updateLayout() keeps it
    // matched to their font, which the presentation theme enlarges.
    axisRect()->setAutoMargins(QCP::msLeft | QCP::msTop | QCP::msBottom);

    for (const Reference& r : kReferences)
        m_references.add(this, r.value, QString::fromLatin1(r.label), textFont(), r.vertical);

    m_dots = addGraph();
    m_dots->setName(QStringLiteral("D\u1d62 of each learned feature"));
    m_dots->setLineStyle(QCPGraph::lsNone);
    QColor dotColour = FeaturePalette::featureColor(0);
    dotColour.setAlpha(95);
    m_dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, dotColour, dotColour, 6));
    m_dots->setPen(QPen(dotColour));
    m_dots->setSelectable(QCP::stNone);

    m_dimensions = addGraph();
    m_dimensions->setName(QStringLiteral("D* = m / \u2016W\u2016\u00b2 (Frobenius), per instance"));
    m_dimensions->setPen(QPen(QColor(20, 20, 20), 2.2));
    m_dimensions->setLineStyle(QCPGraph::lsLine);
    m_dimensions->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(20, 20, 20), 1.8), Qt::white, 8));
    m_dimensions->setSelectable(QCP::stNone);

    m_selectedDots = addGraph();
    m_selectedDots->setLineStyle(QCPGraph::lsNone);
    m_selectedDots->removeFromLegend();
    m_selectedDots->setSelectable(QCP::stNone);
    m_selectedDots->setLayer(QStringLiteral("overlay"));
}

void StickyFractionPlot::clear()
{
    setData({}, {}, {});
}

void StickyFractionPlot::setData(const std::vector<double>& inverseDensity,
                                 const std::vector<double>& dimensionsPerFeature,
                                 const std::vector<std::vector<float>>& featureDimensionality)
{
    m_inverseDensity = inverseDensity;
    m_dimensionsPerFeature = dimensionsPerFeature;
    m_featureDimensionality = featureDimensionality;

    QVector<double> xs, ys;
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (std::size_t k = 0; k < inverseDensity.size(); ++k) {
        const double x = inverseDensity[k];
        if (!(x > 0) || !std::isfinite(x))
            continue;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
        if (k < dimensionsPerFeature.size() && std::isfinite(dimensionsPerFeature[k])) {
            xs.append(x);
            ys.append(dimensionsPerFeature[k]);
        }
    }
    m_dimensions->setData(xs, ys); // sorts by 1/(1-S)
    rebuildDots();
    if (hi > 0) {
        // Half a jitter width and a little air on each side.
        const double pad = 0.12 + 0.5 * std::log10(std::max(hi / lo, 1.0)) / std::max<double>(1.0, double(xs.size()));
        xAxis->setRange(std::pow(10.0, std::log10(lo) - std::min(pad, 0.3)), std::pow(10.0, std::log10(hi) + std::min(pad, 0.3)));
    } else {
        xAxis->setRange(1.0, 100.0);
    }
    // D* can exceed 1 when few features are represented; keep the reference range and grow if needed.
    double top = 1.1;
    for (double y : ys)
        top = std::max(top, std::min(y * 1.05, 10.0));
    yAxis->setRange(0.0, top);
    replot(rpQueuedReplot);
}

void StickyFractionPlot::setFeatureIndices(const std::vector<std::vector<int>>& features)
{
    m_featureIndices = features;
    rebuildDots();
    replot(rpQueuedReplot);
}

void StickyFractionPlot::rebuildDots()
{
    m_dotData.clear();
    // Jitter width: a quarter of the typical spacing between instances in log10(x), at most 0.05 decades.
    std::vector<double> logs;
    for (double x : m_inverseDensity)
        if (x > 0 && std::isfinite(x))
            logs.push_back(std::log10(x));
    std::sort(logs.begin(), logs.end());
    double spacing = 0.2;
    if (logs.size() > 1)
        spacing = (logs.back() - logs.front()) / double(logs.size() - 1);
    const double amplitude = std::clamp(0.25 * spacing, 0.005, 0.05);

    for (std::size_t k = 0; k < m_featureDimensionality.size() && k < m_inverseDensity.size(); ++k) {
        const double x0 = m_inverseDensity[k];
        if (!(x0 > 0) || !std::isfinite(x0))
            continue;
        const auto& values = m_featureDimensionality[k];
        for (std::size_t j = 0; j < values.size(); ++j) {
            if (!std::isfinite(values[j]))
                continue;
            Dot dot;
            dot.instance = int(k);
            dot.index = int(j);
            dot.feature = (k < m_featureIndices.size() && j < m_featureIndices[k].size()) ? m_featureIndices[k][j] : int(j);
            dot.x0 = x0;
            dot.x = x0 * std::pow(10.0, amplitude * jitter(int(k), int(j)));
            dot.d = values[j];
            m_dotData.push_back(dot);
        }
    }
    QVector<double> xs, ys;
    for (const Dot& dot : m_dotData) {
        xs.append(dot.x);
        ys.append(dot.d);
    }
    m_dots->setData(xs, ys);
    applySelection();
}

void StickyFractionPlot::setSelectedFeature(int feature)
{
    if (feature == m_selected)
        return;
    m_selected = feature;
    applySelection();
    replot(rpQueuedReplot);
}

void StickyFractionPlot::applySelection()
{
    QVector<double> xs, ys;
    for (const Dot& dot : m_dotData)
        if (m_selected >= 0 && dot.feature == m_selected) {
            xs.append(dot.x);
            ys.append(dot.d);
        }
    const QColor colour = FeaturePalette::featureColor(m_selected);
    m_selectedDots->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(FeaturePalette::selectionColor(), 1.5), colour, 11));
    m_selectedDots->setData(xs, ys);
}

QPointF StickyFractionPlot::dotPixel(int instance, int index) const
{
    for (const Dot& dot : m_dotData)
        if (dot.instance == instance && dot.index == index)
            return {xAxis->coordToPixel(dot.x), yAxis->coordToPixel(dot.d)};
    return {kNaN, kNaN};
}

int StickyFractionPlot::nearestDot(const QPointF& pos, double radius) const
{
    int best = -1;
    double bestDistance = radius;
    for (std::size_t k = 0; k < m_dotData.size(); ++k) {
        const Dot& dot = m_dotData[k];
        double d = std::hypot(xAxis->coordToPixel(dot.x) - pos.x(), yAxis->coordToPixel(dot.d) - pos.y());
        if (dot.feature == m_selected)
            d -= 1.0;
        if (d < bestDistance) {
            bestDistance = d;
            best = int(k);
        }
    }
    return best;
}

int StickyFractionPlot::featureAt(const QPointF& pos) const
{
    if (!axisRect()->rect().adjusted(-4, -4, 4, 4).contains(pos.toPoint()))
        return -1;
    const int dot = nearestDot(pos, 7.0);
    return dot >= 0 ? m_dotData[std::size_t(dot)].feature : -1;
}

QString StickyFractionPlot::hoverText(const QPointF& pos) const
{
    if (!axisRect()->rect().adjusted(-4, -4, 4, 4).contains(pos.toPoint()))
        return QString();
    // D* points first (they are drawn on top), then dots.
    for (std::size_t k = 0; k < m_inverseDensity.size() && k < m_dimensionsPerFeature.size(); ++k) {
        const double x = m_inverseDensity[k];
        const double y = m_dimensionsPerFeature[k];
        if (!(x > 0) || !std::isfinite(x) || !std::isfinite(y))
            continue;
        if (std::hypot(xAxis->coordToPixel(x) - pos.x(), yAxis->coordToPixel(y) - pos.y()) <= 7.0)
            return QStringLiteral("instance %1\n1/(1\u2212S) = %2 (S = %3)\nD* = %4")
                .arg(k)
                .arg(x, 0, 'g', 4)
                .arg(1.0 - 1.0 / x, 0, 'f', 4)
                .arg(y, 0, 'f', 3);
    }
    const int dot = nearestDot(pos, 7.0);
    if (dot < 0)
        return QString();
    const Dot& d = m_dotData[std::size_t(dot)];
    return QStringLiteral("feature %1, instance %2\n1/(1\u2212S) = %3\nD = %4")
        .arg(d.feature)
        .arg(d.instance)
        .arg(d.x0, 0, 'g', 4)
        .arg(d.d, 0, 'f', 3);
}

void StickyFractionPlot::updateLayout()
{
    m_references.applyMargin(axisRect());
    QCustomPlot::updateLayout();
}

void StickyFractionPlot::plotClicked(const QPointF& pos)
{
    const int feature = featureAt(pos);
    if (feature >= 0)
        Q_EMIT featureClicked(feature);
    else
        Q_EMIT backgroundClicked();
}
