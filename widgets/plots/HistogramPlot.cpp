#include "plots/HistogramPlot.h"

#include "plots/FeaturePalette.h"


#include <algorithm>
#include <cmath>
#include <limits>

HistogramPlot::HistogramPlot(QWidget* parent)
    : InteractivePlot(parent), m_markerX(std::numeric_limits<double>::quiet_NaN())
{
    setNotAntialiasedElements(QCP::aeGrid);
    setMinimumSize(200, 140);

    m_title = addTitle();
    legendBelow(); // in a row under the axes: it never covers a bar
    legend->setIconSize(18, 10);
    legend->setVisible(false);
    plotLayout()->setRowSpacing(0);

    FeaturePalette::styleAxis(xAxis);
    FeaturePalette::styleAxis(yAxis, QStringLiteral("features"));
    xAxis->setRange(0, 1);
    yAxis->setRange(0, 1);

    m_note = new QCPItemText(this);
    m_note->setClipToAxisRect(false);
    m_note->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_note->position->setCoords(0.985, 0.03);
    m_note->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_note->setTextAlignment(Qt::AlignRight);
    m_note->setFont(textFont());
    m_note->setColor(QColor(90, 90, 90));
    m_note->setBrush(QBrush(QColor(255, 255, 255, 215)));
    m_note->setPadding(QMargins(3, 1, 3, 1));
    m_note->setVisible(false);

    m_empty = addEmptyText(QStringLiteral("no data yet"));

    for (int b = 0; b < kMaxBands; ++b) {
        auto* rect = new QCPItemRect(this);
        rect->setLayer(QStringLiteral("background")); // behind the grid and the bars
        rect->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
        rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        rect->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
        rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        rect->setPen(Qt::NoPen);
        rect->setVisible(false);
        auto* label = new QCPItemText(this);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setFont(textFont());
        label->setPadding(QMargins(2, 0, 2, 1));
        label->setVisible(false);
        m_bandRects.push_back(rect);
        m_bandLabels.push_back(label);
    }

    m_marker = new QCPItemStraightLine(this);
    m_marker->setPen(QPen(FeaturePalette::selectionColor(), 1.6, Qt::DashLine));
    m_marker->setVisible(false);
    m_markerLabel = new QCPItemText(this);
    m_markerLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_markerLabel->position->setTypeX(QCPItemPosition::ptPlotCoords);
    m_markerLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_markerLabel->setFont(textFont());
    m_markerLabel->setColor(FeaturePalette::selectionColor());
    m_markerLabel->setBrush(QBrush(QColor(255, 255, 255, 215)));
    m_markerLabel->setPadding(QMargins(3, 1, 3, 1));
    m_markerLabel->setVisible(false);
}

void HistogramPlot::setTitle(const QString& title)
{
    m_title->setText(title);
    replot(rpQueuedReplot);
}

QString HistogramPlot::title() const { return m_title->text(); }

void HistogramPlot::setAxisLabels(const QString& xLabel, const QString& yLabel)
{
    xAxis->setLabel(xLabel);
    yAxis->setLabel(yLabel);
    replot(rpQueuedReplot);
}

void HistogramPlot::setHistogram(const std::vector<double>& edges, const std::vector<Series>& series)
{
    m_edges = edges.size() >= 2 ? edges : std::vector<double>{};
    m_series.clear();
    for (const auto& s : series)
        if (!m_edges.empty() && s.counts.size() + 1 == m_edges.size())
            m_series.push_back(s);
    rebuild();
    replot(rpQueuedReplot);
}

void HistogramPlot::clear() { setHistogram({}, {}); }

void HistogramPlot::setEmptyText(const QString& text)
{
    m_empty->setText(text);
    replot(rpQueuedReplot);
}

double HistogramPlot::total(int k) const
{
    if (k < 0 || k >= seriesCount())
        return 0.0;
    double sum = 0.0;
    for (double c : m_series[std::size_t(k)].counts)
        sum += c;
    return sum;
}

bool HistogramPlot::hasData() const
{
    for (int k = 0; k < seriesCount(); ++k)
        if (total(k) > 0.0)
            return true;
    return false;
}

void HistogramPlot::rebuild()
{
    clearGraphs();
    double top = 0.0;
    const bool several = m_series.size() > 1;
    for (const auto& s : m_series) {
        QVector<double> keys, values;
        // Step outline closed at both ends: (e0, 0), (e0, c0), (e1, c1), ..., (en, c_{n-1}), (en, 0).
        keys << m_edges.front();
        values << 0.0;
        for (std::size_t b = 0; b < s.counts.size(); ++b) {
            const double c = std::isfinite(s.counts[b]) ? std::max(0.0, s.counts[b]) : 0.0;
            keys << m_edges[b];
            values << c;
            top = std::max(top, c);
        }
        keys << m_edges.back() << m_edges.back();
        values << values.back() << 0.0;
        QCPGraph* graph = addGraph();
        graph->setName(s.name);
        graph->setData(keys, values, true);
        graph->setLineStyle(QCPGraph::lsStepLeft);
        graph->setAdaptiveSampling(false);
        graph->setSelectable(QCP::stNone);
        QColor fill = s.colour;
        fill.setAlpha(several ? 70 : 150);
        graph->setPen(QPen(s.colour, several ? 2.0 : 1.4));
        graph->setBrush(QBrush(fill));
        if (s.name.isEmpty())
            graph->removeFromLegend();
    }
    legend->setVisible(several);
    if (!m_edges.empty()) {
        const double span = m_edges.back() - m_edges.front();
        xAxis->setRange(m_edges.front() - 0.01 * span, m_edges.back() + 0.01 * span);
    }
    if (top <= 0.0)
        top = 1.0;
    yAxis->setRange(0.0, top * 1.14);
    if (m_integerCounts && top < 6.0) {
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        yAxis->setTicker(ticker);
    } else {
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_empty->setVisible(!hasData());
    setMarker(m_markerX, m_markerLabel->text());
}

void HistogramPlot::setMarker(double x, const QString& label)
{
    m_markerX = x;
    const bool show = std::isfinite(x);
    m_marker->setVisible(show);
    m_markerLabel->setVisible(show && !label.isEmpty());
    m_markerLabel->setText(label);
    if (show) {
        m_marker->point1->setCoords(x, 0.0);
        m_marker->point2->setCoords(x, 1.0);
        // Label on the side with more room.
        const QCPRange r = xAxis->range();
        const bool right = x < r.center();
        m_markerLabel->setPositionAlignment((right ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignTop);
        const double offset = 0.008 * r.size();
        m_markerLabel->position->setCoords(right ? x + offset : x - offset, 0.03);
        if (m_note->visible())
            m_markerLabel->position->setCoords(right ? x + offset : x - offset, 0.16);
    }
    replot(rpQueuedReplot);
}

void HistogramPlot::setBands(const std::vector<Band>& bands)
{
    m_bands = bands;
    for (int b = 0; b < kMaxBands; ++b) {
        const bool show = b < int(bands.size()) && bands[std::size_t(b)].from < bands[std::size_t(b)].to;
        m_bandRects[std::size_t(b)]->setVisible(show);
        m_bandLabels[std::size_t(b)]->setVisible(show && !bands[std::size_t(b)].label.isEmpty());
        if (!show)
            continue;
        const Band& band = bands[std::size_t(b)];
        QColor fill = band.colour;
        fill.setAlpha(38);
        m_bandRects[std::size_t(b)]->setBrush(fill);
        m_bandRects[std::size_t(b)]->topLeft->setCoords(band.from, 0.0);
        m_bandRects[std::size_t(b)]->bottomRight->setCoords(band.to, 1.0);
        m_bandLabels[std::size_t(b)]->setText(band.label);
        m_bandLabels[std::size_t(b)]->setColor(band.colour.darker(140));
        // Anchored at the band's outer edge (the axis end it touches), so a narrow band's label stays inside the axes.
        const double middle = m_edges.empty() ? 0.5 * (band.from + band.to) : 0.5 * (m_edges.front() + m_edges.back());
        const bool right = 0.5 * (band.from + band.to) >= middle;
        const double inset = 0.01 * (m_edges.empty() ? 1.0 : m_edges.back() - m_edges.front());
        m_bandLabels[std::size_t(b)]->setPositionAlignment((right ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignBottom);
        m_bandLabels[std::size_t(b)]->position->setCoords(right ? band.to - inset : band.from + inset, 0.985);
    }
    replot(rpQueuedReplot);
}

int HistogramPlot::visibleBands() const
{
    int n = 0;
    for (const QCPItemRect* rect : m_bandRects)
        n += rect->visible();
    return n;
}

void HistogramPlot::setNote(const QString& note)
{
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    setMarker(m_markerX, m_markerLabel->text());
}

QString HistogramPlot::note() const { return m_note->text(); }

std::vector<double> HistogramPlot::binEdges(double low, double high, int bins)
{
    bins = std::max(1, bins);
    if (!(high > low))
        high = low + 1.0;
    std::vector<double> edges(std::size_t(bins) + 1);
    for (int b = 0; b <= bins; ++b)
        edges[std::size_t(b)] = low + (high - low) * double(b) / bins;
    return edges;
}

std::vector<double> HistogramPlot::countValues(const std::vector<double>& values, const std::vector<double>& edges,
                                               bool normalise, bool clampOutside)
{
    if (edges.size() < 2)
        return {};
    const int bins = int(edges.size()) - 1;
    std::vector<double> counts(std::size_t(bins), 0.0);
    double counted = 0.0;
    for (double v : values) {
        if (!std::isfinite(v))
            continue;
        int bin = int(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin()) - 1;
        if (bin < 0 || bin >= bins) {
            if (!clampOutside && !(bin == bins && v == edges.back()))
                continue;
            bin = std::clamp(bin, 0, bins - 1);
        }
        counts[std::size_t(bin)] += 1.0;
        counted += 1.0;
    }
    if (normalise && counted > 0.0)
        for (double& c : counts)
            c /= counted;
    return counts;
}

int HistogramPlot::binAt(const QPointF& pos) const
{
    if (m_edges.empty() || !axisRect()->rect().contains(pos.toPoint()))
        return -1;
    const double x = xAxis->pixelToCoord(pos.x());
    if (x < m_edges.front() || x > m_edges.back())
        return -1;
    const int bin = int(std::upper_bound(m_edges.begin(), m_edges.end(), x) - m_edges.begin()) - 1;
    return std::clamp(bin, 0, binCount() - 1);
}

QString HistogramPlot::hoverText(const QPointF& pos) const
{
    const int bin = binAt(pos);
    if (bin < 0)
        return QString();
    QString text = QStringLiteral("[%1, %2)")
                       .arg(m_edges[std::size_t(bin)], 0, 'g', 3)
                       .arg(m_edges[std::size_t(bin) + 1], 0, 'g', 3);
    for (const auto& s : m_series) {
        const double c = s.counts[std::size_t(bin)];
        const QString value = m_integerCounts ? QString::number(c, 'f', 0) : QString::number(c, 'g', 3);
        text += QStringLiteral("\n%1%2").arg(s.name.isEmpty() ? QString() : s.name + QStringLiteral(": "), value);
    }
    return text;
}

void HistogramPlot::plotClicked(const QPointF& pos)
{
    const int bin = binAt(pos);
    if (bin >= 0)
        Q_EMIT binClicked(bin, xAxis->pixelToCoord(pos.x()));
}
