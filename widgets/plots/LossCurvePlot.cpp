#include "plots/LossCurvePlot.h"

#include "plots/FeaturePalette.h"


#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool valid(float v) { return std::isfinite(v) && v > 0.0f; }

} // namespace

LossCurvePlot::LossCurvePlot(QWidget* parent) : InteractivePlot(parent)
{
    setMinimumSize(240, 200);

    m_title = addTitle(QStringLiteral("Training loss"));
    legendBeside();
    legend->setVisible(true);
    legend->setIconSize(22, 12);
    legend->setRowSpacing(-2);
    legend->setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX);

    FeaturePalette::styleAxis(xAxis, QStringLiteral("training step"));
    FeaturePalette::styleAxis(yAxis, QStringLiteral("loss"));
    yAxis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> logTicker(new QCPAxisTickerLog);
    logTicker->setSubTickCount(8);
    yAxis->setTicker(logTicker);
    yAxis->setNumberFormat(QStringLiteral("eb"));
    yAxis->setNumberPrecision(0);
    yAxis->grid()->setSubGridVisible(true);
    yAxis->grid()->setSubGridPen(QPen(QColor(238, 238, 238), 0, Qt::DotLine));
    xAxis->setNumberFormat(QStringLiteral("g"));
    xAxis->setNumberPrecision(7);
    xAxis->setRange(0, 1);
    yAxis->setRange(1e-3, 1);
}

void LossCurvePlot::decimate(const std::vector<float>& values, int maxPoints, double interval, QVector<double>& keys,
                             QVector<double>& out)
{
    keys.clear();
    out.clear();
    const std::size_t count = values.size();
    maxPoints = std::max(maxPoints, 2);
    if (count <= std::size_t(maxPoints)) {
        bool gap = false;
        for (std::size_t i = 0; i < count; ++i) {
            if (valid(values[i])) {
                keys.append(double(i) * interval);
                out.append(values[i]);
                gap = false;
            } else if (!gap) {
                keys.append(double(i) * interval);
                out.append(kNaN);
                gap = true;
            }
        }
        return;
    }
    const std::size_t buckets = std::size_t(maxPoints / 2);
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t begin = b * count / buckets;
        const std::size_t end = (b + 1) * count / buckets;
        std::size_t lo = end, hi = end;
        for (std::size_t i = begin; i < end; ++i) {
            if (!valid(values[i]))
                continue;
            if (lo == end || values[i] < values[lo])
                lo = i;
            if (hi == end || values[i] > values[hi])
                hi = i;
        }
        if (lo == end) {
            keys.append(double(begin) * interval);
            out.append(kNaN);
            continue;
        }
        const std::size_t first = std::min(lo, hi);
        const std::size_t second = std::max(lo, hi);
        keys.append(double(first) * interval);
        out.append(values[first]);
        if (second != first) {
            keys.append(double(second) * interval);
            out.append(values[second]);
        }
    }
}

void LossCurvePlot::clear() { setHistories({}, {}); }

void LossCurvePlot::setSampleInterval(double steps)
{
    m_interval = (steps > 0 && std::isfinite(steps)) ? steps : 1.0;
    rebuild();
    replot(rpQueuedReplot);
}

void LossCurvePlot::setHistories(const std::vector<std::vector<float>>& loss, const QStringList& labels)
{
    m_loss = loss;
    m_labels = labels;
    if (m_selectedInstance >= int(m_loss.size()))
        m_selectedInstance = -1;
    rebuild();
    replot(rpQueuedReplot);
}

QColor LossCurvePlot::curveColour(int instance) const
{
    const int count = int(m_loss.size());
    // Stop short of viridis' pale yellow end, which is hard to see on white.
    return FeaturePalette::sequentialColor(count > 1 ? 0.88 * instance / (count - 1) : 0.0);
}

void LossCurvePlot::rebuild()
{
    clearGraphs();
    m_curves.clear();
    const int count = int(m_loss.size());
    double lo = std::numeric_limits<double>::infinity(), hi = 0, maxKey = 0;
    // Legend: every instance when few, otherwise about kMaxLegendEntries evenly spaced ones.
    const int stride = count > kMaxLegendEntries ? (count + kMaxLegendEntries - 2) / (kMaxLegendEntries - 1) : 1;
    for (int k = 0; k < count; ++k) {
        QVector<double> keys, values;
        decimate(m_loss[std::size_t(k)], kMaxPoints, m_interval, keys, values);
        QCPGraph* graph = addGraph();
        graph->setName(k < m_labels.size() ? m_labels[k] : QStringLiteral("instance %1").arg(k));
        graph->setData(keys, values, true);
        graph->setSelectable(QCP::stNone);
        graph->setAdaptiveSampling(false); // already decimated; keep every spike
        if (!(k % stride == 0 || k == count - 1))
            graph->removeFromLegend();
        for (double v : values)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        if (!keys.isEmpty())
            maxKey = std::max(maxKey, keys.back());
        maxKey = std::max(maxKey, double(m_loss[std::size_t(k)].size() > 0 ? m_loss[std::size_t(k)].size() - 1 : 0) * m_interval);
        m_curves.push_back(graph);
    }
    xAxis->setRange(0, maxKey > 0 ? maxKey : 1);
    if (hi > 0) {
        const double l = std::floor(std::log10(lo) * 4.0) / 4.0;
        const double h = std::ceil(std::log10(hi) * 4.0 + 0.01) / 4.0;
        yAxis->setRange(std::pow(10.0, l), std::pow(10.0, std::max(h, l + 0.5)));
    } else {
        yAxis->setRange(1e-3, 1);
    }
    legend->setVisible(count > 0);
    applySelection();
}

void LossCurvePlot::setSelectedFeature(int feature) { m_selected = feature; }

void LossCurvePlot::setSelectedInstance(int instance)
{
    if (instance == m_selectedInstance)
        return;
    m_selectedInstance = instance;
    applySelection();
    replot(rpQueuedReplot);
}

void LossCurvePlot::applySelection()
{
    const bool any = m_selectedInstance >= 0 && m_selectedInstance < curveCount();
    for (int k = 0; k < curveCount(); ++k) {
        QColor colour = curveColour(k);
        const bool selected = any && k == m_selectedInstance;
        if (any && !selected)
            colour.setAlpha(80);
        m_curves[std::size_t(k)]->setPen(QPen(colour, selected ? 3.0 : 1.6));
        m_curves[std::size_t(k)]->setLayer(selected ? QStringLiteral("overlay") : QStringLiteral("main"));
    }
}

QCPGraph* LossCurvePlot::curve(int instance) const
{
    return instance >= 0 && instance < curveCount() ? m_curves[std::size_t(instance)] : nullptr;
}

double LossCurvePlot::valueAt(int instance, double key, double* keyOut) const
{
    const auto& values = m_loss[std::size_t(instance)];
    if (values.empty())
        return kNaN;
    const long index = std::lround(key / m_interval);
    if (index < 0 || index >= long(values.size()))
        return kNaN;
    if (keyOut)
        *keyOut = double(index) * m_interval;
    return valid(values[std::size_t(index)]) ? double(values[std::size_t(index)]) : kNaN;
}

int LossCurvePlot::instanceAt(const QPointF& pos) const
{
    if (!axisRect()->rect().contains(pos.toPoint()))
        return -1;
    const double key = xAxis->pixelToCoord(pos.x());
    int best = -1;
    double bestDistance = 8.0;
    for (int k = 0; k < curveCount(); ++k) {
        // Distance to the drawn (decimated) polyline near the cursor, so a click on a visible spike counts.
        const auto data = m_curves[std::size_t(k)]->data();
        const double margin = std::abs(xAxis->pixelToCoord(pos.x() + 10) - key);
        auto it = data->findBegin(key - margin, true);
        const auto end = data->findEnd(key + margin, true);
        QPointF previous;
        bool havePrevious = false;
        for (; it != end; ++it) {
            if (!std::isfinite(it->value)) {
                havePrevious = false;
                continue;
            }
            const QPointF p(xAxis->coordToPixel(it->key), yAxis->coordToPixel(it->value));
            double d = std::hypot(p.x() - pos.x(), p.y() - pos.y());
            if (havePrevious) {
                const QPointF ab = p - previous;
                const double len2 = QPointF::dotProduct(ab, ab);
                const double t = len2 > 0 ? std::clamp(QPointF::dotProduct(pos - previous, ab) / len2, 0.0, 1.0) : 0.0;
                const QPointF q = previous + t * ab - pos;
                d = std::min(d, std::hypot(q.x(), q.y()));
            }
            if (k == m_selectedInstance)
                d -= 1.0;
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
            previous = p;
            havePrevious = true;
        }
    }
    return best;
}

QString LossCurvePlot::hoverText(const QPointF& pos) const
{
    const int k = instanceAt(pos);
    if (k < 0)
        return QString();
    double step = 0;
    const double value = valueAt(k, xAxis->pixelToCoord(pos.x()), &step);
    const QString name = m_curves[std::size_t(k)]->name();
    if (!std::isfinite(value))
        return name;
    return QStringLiteral("%1\nstep %2: loss = %3").arg(name).arg(step, 0, 'f', 0).arg(value, 0, 'g', 4);
}

void LossCurvePlot::plotClicked(const QPointF& pos)
{
    const int instance = instanceAt(pos);
    if (instance >= 0)
        Q_EMIT instanceClicked(instance);
    else
        Q_EMIT backgroundClicked();
}
