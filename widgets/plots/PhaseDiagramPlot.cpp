#include "plots/PhaseDiagramPlot.h"

#include "common/Theme.h"
#include "plots/ColorMaps.h"
#include "plots/FeaturePalette.h"


#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A cell's opacity from the share of its runs that agree: every run agreeing is opaque, a split cell clearly paler,
// but never so pale that its colour is lost.
double opacityOf(float certainty) { return 0.3 + 0.7 * std::clamp(double(certainty), 0.0, 1.0); }
// The boundaries' own colour; the theme draws it near-white on dark backgrounds.
const QColor kBoundary(15, 15, 15);

bool allPositive(const std::vector<double>& values)
{
    return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v) && v > 0; });
}

// Sorted log10 values, the half-width of a cell in decades, and the colour-map range of one axis.
struct LogAxis {
    std::vector<double> sorted;
    double halfStep = 0.1;
    int cells = 0;
    QCPRange mapRange;
    QCPRange logRange;
};

LogAxis makeAxis(const std::vector<double>& values)
{
    LogAxis axis;
    for (double v : values)
        axis.sorted.push_back(std::log10(v));
    std::sort(axis.sorted.begin(), axis.sorted.end());
    const int n = int(axis.sorted.size());
    if (n > 1 && axis.sorted.back() > axis.sorted.front()) {
        axis.halfStep = 0.5 * (axis.sorted.back() - axis.sorted.front()) / (n - 1);
        axis.cells = n;
        axis.mapRange = QCPRange(axis.sorted.front(), axis.sorted.back());
    } else {
        // One cell (or all equal): QCustomPlot needs two map cells to know a cell's width.
        axis.halfStep = 0.1;
        axis.cells = 2;
        axis.mapRange = QCPRange(axis.sorted.front() - 0.05, axis.sorted.front() + 0.05);
    }
    axis.logRange = QCPRange(axis.sorted.front() - axis.halfStep, axis.sorted.back() + axis.halfStep);
    return axis;
}

} // namespace

QColor PhaseDiagramPlot::cellColor(int cell)
{
    switch (cell) {
    case NotLearned:
        // Mid grey, not light: the boundary line is black in the light themes and near-white in the dark one, and
        // has to read on this cell in both.
        return QColor(158, 158, 158);
    case Dedicated:
        return ColorMaps::okabeIto(ColorMaps::OkabeIto::SkyBlue);
    case Superposition:
        return ColorMaps::okabeIto(ColorMaps::OkabeIto::Vermillion);
    default:
        return QColor(255, 255, 255);
    }
}

PhaseDiagramPlot::PhaseDiagramPlot(QWidget* parent) : InteractivePlot(parent)
{
    setNotAntialiasedElements(QCP::aePlottables);
    setMinimumSize(240, 200);

    m_title = addTitle(QStringLiteral("Phase diagram of the extra feature"));
    legendBeside();
    legend->setVisible(true);
    legend->setIconSize(18, 14);

    FeaturePalette::styleAxis(xAxis, QStringLiteral("relative importance of the extra feature"));
    FeaturePalette::styleAxis(yAxis, QStringLiteral("feature density 1\u2212S"));
    for (QCPAxis* axis : {xAxis, yAxis}) {
        axis->setScaleType(QCPAxis::stLogarithmic);
        QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
        ticker->setSubTickCount(8);
        axis->setTicker(ticker);
        axis->setNumberFormat(QStringLiteral("g"));
        axis->grid()->setVisible(false);
    }
    xAxis->setRange(0.1, 10);
    yAxis->setRange(0.01, 1);
    // The map lives on hidden linear axes in log10 units, so its cells are even on the log axes.
    // They also close the frame on the top and right, without ticks.
    for (QCPAxis* axis : {xAxis2, yAxis2}) {
        axis->setVisible(true);
        axis->setScaleType(QCPAxis::stLinear);
        axis->setTicks(false);
        axis->setTickLabels(false);
        axis->setBasePen(QPen(QColor(90, 90, 90), 1));
        axis->grid()->setVisible(false);
    }
    axisRect()->setRangeDragAxes(nullptr, nullptr);

    m_map = new QCPColorMap(xAxis2, yAxis2);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_map->setSelectable(QCP::stNone);
    QCPColorGradient gradient;
    gradient.clearColorStops();
    // A step function over [-0.5, 2.5]: each integer category gets a flat third of the range.
    gradient.setColorStopAt(0.0, cellColor(NotLearned));
    gradient.setColorStopAt(0.333, cellColor(NotLearned));
    gradient.setColorStopAt(0.334, cellColor(Dedicated));
    gradient.setColorStopAt(0.666, cellColor(Dedicated));
    gradient.setColorStopAt(0.667, cellColor(Superposition));
    gradient.setColorStopAt(1.0, cellColor(Superposition));
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setLevelCount(300);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(Qt::white);
    m_map->setGradient(gradient);
    m_map->setDataRange(QCPRange(-0.5, 2.5));
    m_map->removeFromLegend();

    for (int cell : {NotLearned, Dedicated, Superposition}) {
        auto* swatch = new QCPBars(xAxis, yAxis);
        swatch->setBrush(cellColor(cell));
        swatch->setPen(QPen(cellColor(cell).darker(130), 1));
        swatch->setName(cell == NotLearned ? QStringLiteral("not learned")
                        : cell == Dedicated ? QStringLiteral("dedicated dimension")
                                            : QStringLiteral("superposition"));
        swatch->setSelectable(QCP::stNone);
        swatch->setProperty(Theme::kKeepColours, true); // the legend swatch must match the map cell in every theme
    }

    // Uncertain cells are paler: a legend entry says so (only while a certainty is shown).
    m_uncertainSwatch = new QCPBars(xAxis, yAxis);
    QColor pale = cellColor(Superposition);
    pale.setAlphaF(opacityOf(0.5f));
    m_uncertainSwatch->setBrush(pale);
    m_uncertainSwatch->setPen(Qt::NoPen);
    m_uncertainSwatch->setName(QStringLiteral("paler: runs disagree"));
    m_uncertainSwatch->setSelectable(QCP::stNone);
    m_uncertainSwatch->setProperty(Theme::kKeepColours, true);
    m_uncertainSwatch->removeFromLegend();

    m_cellOutline = new QCPItemRect(this);
    for (QCPItemPosition* p : m_cellOutline->positions())
        p->setAxes(xAxis2, yAxis2);
    m_cellOutline->setPen(QPen(FeaturePalette::selectionColor(), 2.5));
    m_cellOutline->setBrush(Qt::NoBrush);
    m_cellOutline->setLayer(QStringLiteral("overlay"));
    m_cellOutline->setSelectable(false);
    m_cellOutline->setVisible(false);

    m_empty = addEmptyText(QStringLiteral("no phase diagram yet"));

    setGrid({}, {}, {}, {});
}

void PhaseDiagramPlot::setEmptyHint(const QString& text)
{
    m_empty->setText(text);
    replot(rpQueuedReplot);
}

QString PhaseDiagramPlot::emptyHint() const { return m_empty->text(); }

bool PhaseDiagramPlot::isEmptyHintShown() const { return m_empty->visible(); }

QColor PhaseDiagramPlot::boundaryColor() { return Theme::dataColor(kBoundary); }

void PhaseDiagramPlot::setTitle(const QString& title) { m_title->setText(title); }

void PhaseDiagramPlot::clear() { setGrid({}, {}, {}, {}); }

int PhaseDiagramPlot::mapIndex(const std::vector<double>& values, int k)
{
    // Rank of values[k] (ties broken by index), i.e. its column in ascending order.
    int rank = 0;
    for (int i = 0; i < int(values.size()); ++i)
        if (values[std::size_t(i)] < values[std::size_t(k)] || (values[std::size_t(i)] == values[std::size_t(k)] && i < k))
            ++rank;
    return rank;
}

void PhaseDiagramPlot::setGrid(const std::vector<double>& relativeImportance, const std::vector<double>& density,
                               const std::vector<int>& cells, const std::vector<std::vector<QPointF>>& boundaries)
{
    m_x = relativeImportance;
    m_y = density;
    m_cells = cells;
    m_certainty.clear();
    m_runsPerCell = 0;
    m_map->data()->clearAlpha();
    m_uncertainSwatch->removeFromLegend();
    const bool valid = !m_x.empty() && !m_y.empty() && allPositive(m_x) && allPositive(m_y);
    if (!valid) {
        m_x.clear();
        m_y.clear();
    }

    for (QCPCurve* curve : m_boundaries)
        removePlottable(curve);
    m_boundaries.clear();
    m_cellOutline->setVisible(false);

    QCPRange xLog(-1, 1), yLog(-2, 0);
    if (valid) {
        const LogAxis ax = makeAxis(m_x);
        const LogAxis ay = makeAxis(m_y);
        xLog = ax.logRange;
        yLog = ay.logRange;
        const int nx = int(m_x.size());
        const int ny = int(m_y.size());
        m_map->data()->setSize(ax.cells, ay.cells);
        m_map->data()->setRange(ax.mapRange, ay.mapRange);
        m_map->data()->fill(kNaN);
        // An axis of one value, or of equal values, collapses to one (doubled) map cell: every index goes there.
        const bool xCollapsed = ax.cells != nx;
        const bool yCollapsed = ay.cells != ny;
        for (int r = 0; r < ny; ++r) {
            for (int c = 0; c < nx; ++c) {
                const int value = cellAt(c, r);
                const double v = (value >= NotLearned && value <= Superposition) ? double(value) : kNaN;
                const int mc = xCollapsed ? 0 : mapIndex(m_x, c);
                const int mr = yCollapsed ? 0 : mapIndex(m_y, r);
                m_map->data()->setCell(mc, mr, v);
                if (xCollapsed)
                    m_map->data()->setCell(1, mr, v);
                if (yCollapsed)
                    m_map->data()->setCell(mc, 1, v);
                if (xCollapsed && yCollapsed)
                    m_map->data()->setCell(1, 1, v);
            }
        }
    } else {
        m_map->data()->clear();
    }
    m_map->setVisible(valid);
    m_empty->setVisible(!valid);
    xAxis2->setRange(xLog);
    yAxis2->setRange(yLog);
    xAxis->setRange(std::pow(10.0, xLog.lower), std::pow(10.0, xLog.upper));
    yAxis->setRange(std::pow(10.0, yLog.lower), std::pow(10.0, yLog.upper));

    for (const auto& line : boundaries) {
        QVector<double> t, xs, ys;
        for (const QPointF& p : line) {
            if (!(p.x() > 0 && p.y() > 0 && std::isfinite(p.x()) && std::isfinite(p.y())))
                continue;
            t.append(t.size());
            xs.append(p.x());
            ys.append(p.y());
        }
        if (xs.size() < 2)
            continue;
        auto* curve = new QCPCurve(xAxis, yAxis);
        curve->setData(t, xs, ys, true);
        curve->setPen(QPen(kBoundary, 2.2)); // themed: black on light backgrounds, light on dark
        curve->setSelectable(QCP::stNone);
        if (m_boundaries.empty())
            curve->setName(QStringLiteral("analytic boundary"));
        else
            curve->removeFromLegend();
        m_boundaries.push_back(curve);
    }
    replot(rpQueuedReplot);
}

int PhaseDiagramPlot::cellAt(int column, int row) const
{
    const int nx = int(m_x.size());
    const int ny = int(m_y.size());
    if (column < 0 || column >= nx || row < 0 || row >= ny)
        return -1;
    const std::size_t index = std::size_t(row) * std::size_t(nx) + std::size_t(column);
    return index < m_cells.size() ? m_cells[index] : -1;
}

double PhaseDiagramPlot::mapValue(int column, int row) const
{
    if (column < 0 || column >= int(m_x.size()) || row < 0 || row >= int(m_y.size()))
        return kNaN;
    return m_map->data()->cell(mapIndex(m_x, column), mapIndex(m_y, row));
}

QPointF PhaseDiagramPlot::cellPixel(int column, int row) const
{
    if (column < 0 || column >= int(m_x.size()) || row < 0 || row >= int(m_y.size()))
        return {kNaN, kNaN};
    return {xAxis->coordToPixel(m_x[std::size_t(column)]), yAxis->coordToPixel(m_y[std::size_t(row)])};
}

void PhaseDiagramPlot::setSelectedFeature(int feature) { m_selected = feature; }

void PhaseDiagramPlot::setSelectedCell(int column, int row)
{
    const bool visible = column >= 0 && column < int(m_x.size()) && row >= 0 && row < int(m_y.size());
    m_cellOutline->setVisible(visible);
    if (visible) {
        const LogAxis ax = makeAxis(m_x);
        const LogAxis ay = makeAxis(m_y);
        const double cx = std::log10(m_x[std::size_t(column)]);
        const double cy = std::log10(m_y[std::size_t(row)]);
        m_cellOutline->topLeft->setCoords(cx - ax.halfStep, cy + ay.halfStep);
        m_cellOutline->bottomRight->setCoords(cx + ax.halfStep, cy - ay.halfStep);
    }
    replot(rpQueuedReplot);
}

bool PhaseDiagramPlot::cellAtPixel(const QPointF& pos, int* column, int* row) const
{
    if (m_x.empty() || !axisRect()->rect().contains(pos.toPoint()))
        return false;
    const double lx = xAxis2->pixelToCoord(pos.x());
    const double ly = yAxis2->pixelToCoord(pos.y());
    auto nearest = [](const std::vector<double>& values, double target) {
        int best = 0;
        for (int i = 1; i < int(values.size()); ++i)
            if (std::abs(std::log10(values[std::size_t(i)]) - target) < std::abs(std::log10(values[std::size_t(best)]) - target))
                best = i;
        return best;
    };
    *column = nearest(m_x, lx);
    *row = nearest(m_y, ly);
    return true;
}

QString PhaseDiagramPlot::hoverText(const QPointF& pos) const
{
    int column = -1, row = -1;
    if (!cellAtPixel(pos, &column, &row))
        return QString();
    const int value = cellAt(column, row);
    const QString what = value == NotLearned ? QStringLiteral("not learned")
                         : value == Dedicated ? QStringLiteral("dedicated dimension")
                         : value == Superposition ? QStringLiteral("superposition")
                                                  : QStringLiteral("no data");
    QString text = QStringLiteral("relative importance = %1\ndensity 1\u2212S = %2\n%3")
                       .arg(m_x[std::size_t(column)], 0, 'g', 3)
                       .arg(m_y[std::size_t(row)], 0, 'g', 3)
                       .arg(what);
    if (!m_certainty.empty()) {
        const double share = m_certainty[std::size_t(row) * m_x.size() + std::size_t(column)];
        text += m_runsPerCell > 0 ? QStringLiteral("\n%1 of %2 runs agree").arg(std::lround(share * m_runsPerCell)).arg(m_runsPerCell)
                                  : QStringLiteral("\n%1 % of runs agree").arg(100.0 * share, 0, 'f', 0);
    }
    return text;
}

void PhaseDiagramPlot::setCertainty(const std::vector<float>& certainty, int runsPerCell)
{
    const std::size_t cells = m_x.size() * m_y.size();
    m_map->data()->clearAlpha();
    m_certainty.clear();
    m_runsPerCell = 0;
    m_uncertainSwatch->removeFromLegend();
    if (certainty.size() == cells && cells > 0) {
        m_certainty = certainty;
        m_runsPerCell = runsPerCell;
        const bool collapsed = m_map->data()->keySize() != int(m_x.size()) || m_map->data()->valueSize() != int(m_y.size());
        for (int r = 0; r < int(m_y.size()) && !collapsed; ++r)
            for (int c = 0; c < int(m_x.size()); ++c)
                m_map->data()->setAlpha(mapIndex(m_x, c), mapIndex(m_y, r),
                                        static_cast<unsigned char>(std::lround(255.0 * cellOpacity(c, r))));
        m_uncertainSwatch->addToLegend();
    }
    replot(rpQueuedReplot);
}

double PhaseDiagramPlot::cellOpacity(int column, int row) const
{
    if (column < 0 || column >= int(m_x.size()) || row < 0 || row >= int(m_y.size()) || m_certainty.empty())
        return 1.0;
    return opacityOf(m_certainty[std::size_t(row) * m_x.size() + std::size_t(column)]);
}

void PhaseDiagramPlot::plotClicked(const QPointF& pos)
{
    int column = -1, row = -1;
    if (cellAtPixel(pos, &column, &row))
        Q_EMIT cellClicked(column, row);
    else
        Q_EMIT backgroundClicked();
}
