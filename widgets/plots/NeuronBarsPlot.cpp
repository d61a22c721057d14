#include "plots/NeuronBarsPlot.h"

#include "plots/FeaturePalette.h"


#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double indexTickStep(int count)
{
    if (count <= 20)
        return 1.0;
    for (double step : {2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0})
        if (count / step <= 12.0)
            return step;
    return 1000.0;
}

} // namespace

NeuronBarsPlot::NeuronBarsPlot(QWidget* parent) : InteractivePlot(parent)
{
    setNotAntialiasedElements(QCP::aePlottables);
    setMinimumSize(240, 200);

    m_title = addTitle(QStringLiteral("Hidden neurons: each feature's weight"));
    legendBeside();
    legend->setIconSize(16, 12);
    legend->setRowSpacing(-2);

    FeaturePalette::styleAxis(xAxis, QStringLiteral("hidden neuron"));
    FeaturePalette::styleAxis(yAxis, QStringLiteral("weight W[neuron, feature]"));
    xAxis->grid()->setVisible(false);
    yAxis->grid()->setZeroLinePen(QPen(QColor(60, 60, 60), 1.2));
    xAxis->setSubTicks(false);
    setWeights(Eigen::MatrixXf(0, 0));
}

void NeuronBarsPlot::setTitle(const QString& title) { m_title->setText(title); }

void NeuronBarsPlot::clear() { setWeights(Eigen::MatrixXf(0, 0)); }

void NeuronBarsPlot::setWeights(const Eigen::MatrixXf& W)
{
    m_weights = W.unaryExpr([](float v) { return std::isfinite(v) ? v : 0.0f; });
    const int m = neuronCount();
    const int n = featureCount();
    clearPlottables();
    m_bars.clear();

    // Segment bases, mirroring QCustomPlot's sign-separated stacking (each sign stacks on its own side of 0).
    m_base = Eigen::MatrixXd::Zero(m, n);
    double top = 0, bottom = 0;
    for (int j = 0; j < m; ++j) {
        double positive = 0, negative = 0;
        for (int i = 0; i < n; ++i) {
            const double w = m_weights(j, i);
            if (w >= 0) {
                m_base(j, i) = positive;
                positive += w;
            } else {
                m_base(j, i) = negative;
                negative += w;
            }
        }
        top = std::max(top, positive);
        bottom = std::min(bottom, negative);
    }

    QCPBars* below = nullptr;
    for (int i = 0; i < n; ++i) {
        auto* bars = new QCPBars(xAxis, yAxis);
        // Exact zeros get no bar: a zero-height bar would still draw its outline.
        QVector<double> keys, values;
        for (int j = 0; j < m; ++j)
            if (m_weights(j, i) != 0.0f) {
                keys.append(j);
                values.append(m_weights(j, i));
            }
        bars->setData(keys, values, true);
        bars->setWidth(kBarWidth);
        bars->setStackingGap(0);
        bars->setName(QStringLiteral("feature %1").arg(i));
        bars->setSelectable(QCP::stNone);
        if (below)
            bars->moveAbove(below);
        below = bars;
        if (n > kMaxLegendFeatures)
            bars->removeFromLegend();
        m_bars.push_back(bars);
    }
    legend->setVisible(n > 0 && n <= kMaxLegendFeatures);

    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(indexTickStep(m));
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
    xAxis->setTicker(ticker);
    xAxis->setRange(-0.6, std::max(m, 1) - 0.4);
    const double span = std::max(top - bottom, 0.1);
    yAxis->setRange(bottom - 0.06 * span, top + 0.06 * span);
    applySelection();
    replot(rpQueuedReplot);
}

void NeuronBarsPlot::setSelectedFeature(int feature)
{
    if (feature == m_selected)
        return;
    m_selected = feature;
    applySelection();
    replot(rpQueuedReplot);
}

void NeuronBarsPlot::applySelection()
{
    const bool any = m_selected >= 0 && m_selected < featureCount();
    const bool dense = featureCount() > 40;
    for (int i = 0; i < featureCount(); ++i) {
        QColor colour = FeaturePalette::featureColor(i);
        const bool selected = any && i == m_selected;
        if (any && !selected)
            colour.setAlpha(90);
        m_bars[std::size_t(i)]->setBrush(colour);
        if (selected)
            m_bars[std::size_t(i)]->setPen(QPen(FeaturePalette::selectionColor(), 2.5));
        else
            m_bars[std::size_t(i)]->setPen(dense ? QPen(Qt::NoPen) : QPen(QColor(255, 255, 255, any ? 120 : 255), 1));
    }
    // Draw the selected feature's bars last so the outline is not covered by neighbours.
    if (any)
        m_bars[std::size_t(m_selected)]->setLayer(QStringLiteral("overlay"));
    for (int i = 0; i < featureCount(); ++i)
        if (!(any && i == m_selected))
            m_bars[std::size_t(i)]->setLayer(QStringLiteral("main"));
}

QCPBars* NeuronBarsPlot::featureBars(int feature) const
{
    return feature >= 0 && feature < featureCount() ? m_bars[std::size_t(feature)] : nullptr;
}

QCPRange NeuronBarsPlot::segment(int neuron, int feature) const
{
    if (neuron < 0 || neuron >= neuronCount() || feature < 0 || feature >= featureCount())
        return QCPRange(kNaN, kNaN);
    const double base = m_base(neuron, feature);
    QCPRange range;
    range.lower = base;
    range.upper = base + m_weights(neuron, feature);
    return range;
}

QPointF NeuronBarsPlot::segmentPixel(int neuron, int feature) const
{
    const QCPRange r = segment(neuron, feature);
    if (std::isnan(r.lower))
        return {kNaN, kNaN};
    return {xAxis->coordToPixel(neuron), yAxis->coordToPixel(0.5 * (r.lower + r.upper))};
}

int NeuronBarsPlot::featureAt(const QPointF& pos, int* neuronOut) const
{
    if (neuronOut)
        *neuronOut = -1;
    if (!axisRect()->rect().contains(pos.toPoint()) || featureCount() == 0)
        return -1;
    const double x = xAxis->pixelToCoord(pos.x());
    const int neuron = int(std::lround(x));
    if (neuron < 0 || neuron >= neuronCount() || std::abs(x - neuron) > 0.5 * kBarWidth)
        return -1;
    const double y = yAxis->pixelToCoord(pos.y());
    for (int i = 0; i < featureCount(); ++i) {
        const QCPRange r = segment(neuron, i);
        const double lo = std::min(r.lower, r.upper);
        const double hi = std::max(r.lower, r.upper);
        if (hi > lo && y >= lo && y <= hi) {
            if (neuronOut)
                *neuronOut = neuron;
            return i;
        }
    }
    return -1;
}

QString NeuronBarsPlot::hoverText(const QPointF& pos) const
{
    int neuron = -1;
    const int feature = featureAt(pos, &neuron);
    if (feature < 0)
        return QString();
    double positive = 0, negative = 0;
    for (int i = 0; i < featureCount(); ++i)
        (m_weights(neuron, i) >= 0 ? positive : negative) += m_weights(neuron, i);
    return QStringLiteral("neuron %1, feature %2\nW = %3\n(neuron total: +%4 / %5)")
        .arg(neuron)
        .arg(feature)
        .arg(m_weights(neuron, feature), 0, 'f', 4)
        .arg(positive, 0, 'f', 3)
        .arg(negative, 0, 'f', 3);
}

void NeuronBarsPlot::plotClicked(const QPointF& pos)
{
    const int feature = featureAt(pos);
    if (feature >= 0)
        Q_EMIT featureClicked(feature);
    else
        Q_EMIT backgroundClicked();
}
