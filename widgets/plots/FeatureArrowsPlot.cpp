#include "plots/FeatureArrowsPlot.h"

#include "common/FigureText.h"

#include "plots/FeaturePalette.h"

#include "geometry/FeatureMeasures.h"

#include <Eigen/Eigenvalues>

#include <QFontMetrics>

#include <algorithm>
#include <climits>
#include <cmath>
#include <utility>
#include <limits>
#include <map>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Eigen::MatrixXf finiteOrZero(const Eigen::MatrixXf& W)
{
    return W.unaryExpr([](float v) { return std::isfinite(v) ? v : 0.0f; });
}

// Columns of W projected on the two leading eigenvectors of W Wᵀ (uncentred PCA), signs fixed so the largest
// component of each axis is positive (deterministic across runs).
Eigen::MatrixXf pcaProjection(const Eigen::MatrixXf& W)
{
    const Eigen::MatrixXd Wd = W.cast<double>();
    const Eigen::MatrixXd C = Wd * Wd.transpose();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(C);
    const Eigen::Index m = W.rows();
    Eigen::MatrixXd axes(m, 2);
    for (int k = 0; k < 2; ++k) {
        Eigen::VectorXd u = solver.eigenvectors().col(m - 1 - k);
        Eigen::Index largest = 0;
        u.cwiseAbs().maxCoeff(&largest);
        if (u[largest] < 0)
            u = -u;
        axes.col(k) = u;
    }
    return (axes.transpose() * Wd).cast<float>();
}

double distanceToSegment(const QPointF& p, const QPointF& a, const QPointF& b)
{
    const QPointF ab = b - a;
    const double len2 = QPointF::dotProduct(ab, ab);
    double t = len2 > 0 ? QPointF::dotProduct(p - a, ab) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const QPointF d = p - (a + t * ab);
    return std::hypot(d.x(), d.y());
}

} // namespace

FeatureArrowsPlot::FeatureArrowsPlot(QWidget* parent) : InteractivePlot(parent)
{
    // The note's corner depends on the theme's font size and on the panels' size, which change without new weights;
    // after each layout, so an export's toPainter places it for the export's size.
    connect(this, &QCustomPlot::afterLayout, this, [this] {
        for (const ArrowPanel& panel : m_instances)
            panel.placeGeometryText(m_limit);
    });
    setMinimumSize(240, 200);
    rebuild();
}

void FeatureArrowsPlot::clear()
{
    m_instances.clear();
    rebuild();
    replot(rpQueuedReplot);
}

void FeatureArrowsPlot::setInstances(const std::vector<Eigen::MatrixXf>& W, const QStringList& titles,
                                     const std::vector<std::vector<featurescope::GeometryComponent>>& geometry,
                                     const std::vector<featurescope::FeatureMeasures>* precomputed)
{
    const bool usePrecomputed = precomputed && precomputed->size() == W.size();
    std::vector<ArrowPanel> fresh;
    const bool wasProjected = m_projected, wasLineMode = m_lineMode;
    m_projected = false;
    m_lineMode = false;
    m_projectedFrom = 0;
    double maxNorm = 0;
    for (std::size_t k = 0; k < W.size(); ++k) {
        ArrowPanel instance;
        const Eigen::MatrixXf w = finiteOrZero(W[k]);
        instance.m = int(w.rows());
        instance.n = int(w.cols());
        instance.title = int(k) < titles.size() ? titles[int(k)] : QStringLiteral("instance %1").arg(k);
        instance.position = Eigen::MatrixXf::Zero(2, instance.n);
        if (instance.m == 1) {
            instance.position.row(0) = w.row(0);
            m_lineMode = true;
        } else if (instance.m == 2) {
            instance.position = w;
        } else if (instance.m > 2) {
            if (usesHiddenDimensions(instance.m)) {
                instance.position.row(0) = w.row(m_projectFirst);
                instance.position.row(1) = w.row(m_projectSecond);
            } else {
                instance.position = pcaProjection(w);
            }
            m_projected = true;
            m_projectedFrom = std::max(m_projectedFrom, instance.m);
        }
        const bool recompute = !usePrecomputed || (*precomputed)[k].norms.size() != w.cols() || !W[k].allFinite();
        const featurescope::FeatureMeasures measures =
            recompute ? featurescope::computeFeatureMeasures(w) : (*precomputed)[k];
        instance.norms = measures.norms;
        instance.dimensionality = measures.dimensionality;
        instance.superposition = measures.superposition;
        instance.componentOf.assign(std::size_t(instance.n), QString());
        if (k < geometry.size()) {
            for (const auto& component : geometry[k])
                for (int f : component.features)
                    if (f >= 0 && f < instance.n)
                        instance.componentOf[std::size_t(f)] = QString::fromStdString(component.kind);
            instance.geometryLabel = QString::fromStdString(featurescope::summariseGeometry(geometry[k], "\n"));
        }
        for (int i = 0; i < instance.n; ++i) {
            const double r = std::hypot(double(instance.position(0, i)), double(instance.position(1, i)));
            if (std::isfinite(r))
                maxNorm = std::max(maxNorm, r);
        }
        fresh.push_back(std::move(instance));
    }
    // One symmetric range for all panels: room for the unit circle and the labels beyond the longest arrow.
    const double limit = std::max(1.3, 1.18 * maxNorm);
    const bool projectionChanged = std::exchange(m_projectionChanged, false); // the header names the projection
    if (!projectionChanged && wasProjected == m_projected && wasLineMode == m_lineMode && updateInPlace(fresh, limit)) {
        replot(rpQueuedReplot);
        return;
    }
    m_instances = std::move(fresh);
    m_limit = limit;
    rebuild();
    replot(rpQueuedReplot);
}

bool FeatureArrowsPlot::updateInPlace(std::vector<ArrowPanel>& fresh, double limit)
{
    if (fresh.size() != m_instances.size() || m_instances.empty())
        return false;
    for (std::size_t k = 0; k < fresh.size(); ++k)
        if (!fresh[k].canReuseItemsOf(m_instances[k]))
            return false;
    m_limit = limit;
    for (std::size_t k = 0; k < fresh.size(); ++k)
        fresh[k].takeItemsFrom(m_instances[k], m_limit);
    m_instances = std::move(fresh);
    applySelection();
    return true;
}

void FeatureArrowsPlot::rebuild()
{
    clearItems();
    clearPlottables();
    plotLayout()->clear();
    m_grid = nullptr;
    m_columns = 0;
    m_arranged = false;

    // Outer layout: the header and the grid of panels, between spacer rows/columns that absorb what the square
    // panels leave, so the figure stays centred.
    auto* outer = plotLayout();
    outer->setRowSpacing(0);
    outer->setColumnSpacing(0);
    outer->setMargins(QMargins(6, 2, 6, 6));
    if (m_projected || m_lineMode) {
        const bool dims = usesHiddenDimensions(m_projectedFrom);
        const QString header =
            !m_projected ? QStringLiteral("m = 1: each feature's weight on the hidden dimension")
            : dims       ? QStringLiteral("hidden dimensions %1 and %2 of W (each column seen along two hidden axes)")
                               .arg(m_projectFirst + 1)
                               .arg(m_projectSecond + 1)
                         : QStringLiteral("PCA projection of the columns of W (two leading axes)");
        auto* text = new QCPTextElement(this, header, labelFont());
        text->setTextColor(QColor(60, 60, 60));
        text->setMargins(QMargins(0, 2, 0, 4));
        text->setProperty(FigureText::kRoleProperty, tr("Projection note"));
        outer->addElement(1, 1, text);
    }
    outer->expandTo(4, 3);
    m_grid = new QCPLayoutGrid;
    outer->addElement(2, 1, m_grid);
    m_grid->setRowSpacing(2);
    m_grid->setColumnSpacing(14);
    outer->setRowStretchFactors({0.001, 0.001, 1.0, 0.001});
    outer->setColumnStretchFactors({0.001, 1.0, 0.001});

    // Panels join the layout before their items are made (items look for an axis rect in the layout).
    for (ArrowPanel& panel : m_instances)
        panel.build(this, m_grid, m_limit);
    arrangeGrid(chooseColumns(size()));
    applySelection();
}

QSize FeatureArrowsPlot::minimumSizeHint() const
{
    constexpr int kPanel = 240; // the panel a geometry note is designed for (ArrowPanel::placeGeometryText)
    const int count = std::max(1, int(m_instances.size()));
    const int columns = std::min(4, count);
    const int rows = (count + columns - 1) / columns;
    const int titleHeight = QFontMetrics(FeaturePalette::font(11.0, true)).height() + 8;
    return QSize(columns * (kPanel + 14) + 14, rows * (kPanel + titleHeight) + 40).expandedTo(minimumSize());
}

int FeatureArrowsPlot::chooseColumns(const QSize& size) const
{
    const int count = int(m_instances.size());
    if (count <= 1)
        return 1;
    const double titleHeight = QFontMetrics(FeaturePalette::font(11.0, true)).height() + 8;
    const double headerHeight = (m_projected || m_lineMode) ? QFontMetrics(labelFont()).height() + 6 : 0;
    // A row of panels is at least as wide as its titles: more columns than fit would squeeze the grid below its
    // minimum (QCustomPlot then aborts the layout and prints a warning).
    int widestTitle = 0;
    for (const ArrowPanel& panel : m_instances)
        if (panel.titleElement)
            widestTitle = std::max(widestTitle, QFontMetrics(panel.titleElement->font())
                                                        .boundingRect(QRect(), Qt::AlignCenter, panel.titleElement->text())
                                                        .width() + 8);
    std::vector<double> sides(5, 0.0);
    double bestSide = 0;
    for (int columns = 1; columns <= std::min(4, count); ++columns) {
        const int rows = (count + columns - 1) / columns;
        if (columns > 1 && columns * widestTitle + 14 * (columns - 1) + 14 > size.width())
            continue;
        sides[std::size_t(columns)] = std::min((size.width() - 14.0 * (columns - 1) - 14) / columns,
                                               (size.height() - headerHeight - rows * titleHeight - 10) / rows);
        bestSide = std::max(bestSide, sides[std::size_t(columns)]);
    }
    // The largest panels fill the widget best. Among near ties (within 3%) take the grid with the fewest empty
    // cells, then the one with more columns (a sweep reads left to right).
    int best = 0;
    int bestEmpty = INT_MAX;
    for (int columns = 1; columns <= std::min(4, count); ++columns) {
        if (sides[std::size_t(columns)] < 0.97 * bestSide)
            continue;
        const int rows = (count + columns - 1) / columns;
        const int empty = rows * columns - count;
        if (empty <= bestEmpty) {
            bestEmpty = empty;
            best = columns;
        }
    }
    best = std::max(best, 1);
    return best;
}

void FeatureArrowsPlot::arrangeGrid(int columns)
{
    if (!m_grid || (columns == m_columns && m_arranged))
        return;
    m_arranged = true;
    for (ArrowPanel& instance : m_instances) {
        m_grid->take(instance.titleElement);
        m_grid->take(instance.rect);
    }
    m_grid->simplify();
    m_columns = columns;
    for (std::size_t k = 0; k < m_instances.size(); ++k) {
        const int row = int(k) / columns;
        const int column = int(k) % columns;
        m_grid->addElement(2 * row, column, m_instances[k].titleElement);
        m_grid->addElement(2 * row + 1, column, m_instances[k].rect);
    }
    for (int r = 0; r < m_grid->rowCount(); ++r)
        m_grid->setRowStretchFactor(r, r % 2 == 0 ? 0.001 : 1.0);
}

void FeatureArrowsPlot::updateLayout()
{
    // Re-flow the grid for the size being drawn (exports may draw at a size other than the widget's), then make
    // every panel square: lay out unconstrained, cap all panels at the smallest side, lay out again.
    arrangeGrid(chooseColumns(viewport().size()));
    for (const ArrowPanel& instance : m_instances)
        instance.rect->setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX);
    QCustomPlot::updateLayout();
    if (m_instances.empty())
        return;
    int side = INT_MAX;
    for (const ArrowPanel& instance : m_instances)
        side = std::min({side, instance.rect->rect().width(), instance.rect->rect().height()});
    side = std::max(side, 20);
    for (const ArrowPanel& instance : m_instances)
        instance.rect->setMaximumSize(side, side);
    QCustomPlot::updateLayout();
}

bool FeatureArrowsPlot::usesHiddenDimensions(int m) const
{
    return m_projectFirst >= 0 && m_projectSecond >= 0 && m_projectFirst != m_projectSecond && m_projectFirst < m &&
           m_projectSecond < m;
}

void FeatureArrowsPlot::setProjectionDimensions(int first, int second)
{
    m_projectionChanged = m_projectionChanged || first != m_projectFirst || second != m_projectSecond;
    m_projectFirst = first;
    m_projectSecond = second;
}

void FeatureArrowsPlot::setSelectedFeature(int feature)
{
    if (feature == m_selected)
        return;
    m_selected = feature;
    applySelection();
    replot(rpQueuedReplot);
}

void FeatureArrowsPlot::applySelection()
{
    for (ArrowPanel& panel : m_instances)
        panel.applySelection(m_selected, m_limit);
}

QCPAxisRect* FeatureArrowsPlot::instanceRect(int instance) const
{
    return instance >= 0 && instance < instanceCount() ? m_instances[std::size_t(instance)].rect : nullptr;
}

QString FeatureArrowsPlot::geometryLabel(int instance) const
{
    return instance >= 0 && instance < instanceCount() ? m_instances[std::size_t(instance)].geometryLabel : QString();
}

QPointF FeatureArrowsPlot::tipCoordinates(int instance, int feature) const
{
    if (instance < 0 || instance >= instanceCount())
        return {kNaN, kNaN};
    const ArrowPanel& in = m_instances[std::size_t(instance)];
    if (feature < 0 || feature >= in.n)
        return {kNaN, kNaN};
    return {in.position(0, feature), in.position(1, feature)};
}

QPointF FeatureArrowsPlot::tipPixel(int instance, int feature) const
{
    const QPointF c = tipCoordinates(instance, feature);
    if (std::isnan(c.x()))
        return c;
    const QCPAxisRect* rect = m_instances[std::size_t(instance)].rect;
    return {rect->axis(QCPAxis::atBottom)->coordToPixel(c.x()), rect->axis(QCPAxis::atLeft)->coordToPixel(c.y())};
}

bool FeatureArrowsPlot::isDropped(int instance, int feature) const
{
    if (instance < 0 || instance >= instanceCount())
        return false;
    const ArrowPanel& in = m_instances[std::size_t(instance)];
    return feature >= 0 && feature < in.n && in.isDropped(feature);
}

QCPItemLine* FeatureArrowsPlot::arrowItem(int instance, int feature) const
{
    if (instance < 0 || instance >= instanceCount())
        return nullptr;
    const ArrowPanel& in = m_instances[std::size_t(instance)];
    return feature >= 0 && feature < in.n ? in.arrows[std::size_t(feature)] : nullptr;
}

QCPItemText* FeatureArrowsPlot::labelItem(int instance, int feature) const
{
    if (instance < 0 || instance >= instanceCount())
        return nullptr;
    const ArrowPanel& in = m_instances[std::size_t(instance)];
    return feature >= 0 && feature < int(in.labels.size()) ? in.labels[std::size_t(feature)] : nullptr;
}

int FeatureArrowsPlot::featureAt(const QPointF& pos, int* instanceOut) const
{
    for (int k = 0; k < instanceCount(); ++k) {
        const ArrowPanel& in = m_instances[std::size_t(k)];
        if (!in.rect->rect().adjusted(-6, -6, 6, 6).contains(pos.toPoint()))
            continue;
        const QPointF zero(in.rect->axis(QCPAxis::atBottom)->coordToPixel(0.0),
                           in.rect->axis(QCPAxis::atLeft)->coordToPixel(0.0));
        int best = -1;
        double bestDistance = 9.0; // pixels
        for (int i = 0; i < in.n; ++i) {
            const QPointF tip = tipPixel(k, i);
            double d = std::hypot(tip.x() - pos.x(), tip.y() - pos.y());
            if (in.arrows[std::size_t(i)])
                d = std::min(d, distanceToSegment(pos, zero, tip) + 2.0); // near the origin, tips win over shafts
            // The selected feature wins ties, so a click on it keeps it.
            if (i == m_selected)
                d -= 1.0;
            if (d < bestDistance) {
                bestDistance = d;
                best = i;
            }
        }
        if (instanceOut)
            *instanceOut = k;
        return best;
    }
    if (instanceOut)
        *instanceOut = -1;
    return -1;
}

QString FeatureArrowsPlot::hoverText(const QPointF& pos) const
{
    int k = -1;
    const int i = featureAt(pos, &k);
    if (i < 0 || k < 0)
        return QString();
    const ArrowPanel& in = m_instances[std::size_t(k)];
    QString text = QStringLiteral("%1\nfeature %2: \u2016W\u2016 = %3").arg(in.title).arg(i).arg(in.norms[i], 0, 'f', 3);
    if (in.norms[i] < kDroppedNorm) {
        text += QStringLiteral(" (not learned)");
    } else {
        text += QStringLiteral("\nD = %1, superposition = %2")
                    .arg(in.dimensionality[i], 0, 'f', 3)
                    .arg(in.superposition[i], 0, 'f', 3);
        const double angle = std::atan2(in.position(1, i), in.position(0, i)) * 180.0 / 3.14159265358979;
        text += QStringLiteral("\nangle = %1\u00b0%2").arg(angle, 0, 'f', 1).arg(in.m > 2 ? QStringLiteral(" (projected)") : QString());
    }
    if (!in.componentOf[std::size_t(i)].isEmpty())
        text += QStringLiteral("\n") + in.componentOf[std::size_t(i)];
    if (in.m > 2 && !in.isDropped(i))
        text += QStringLiteral("\n%1 % of its length lies in this plane%2")
                    .arg(100.0 * in.inPlaneShare(i), 0, 'f', 0)
                    .arg(in.isEndOn(i) ? QStringLiteral(" (seen end-on: drawn faint)") : QString());
    // Tips drawn on one spot are listed together: the plot shows only the top one.
    const std::vector<int> together = in.featuresAtTipOf(i, 0.04 * m_limit);
    if (together.size() > 1) {
        QStringList names;
        for (int j : together)
            names << QString::number(j);
        text += QStringLiteral("\n%1 features drawn here: %2").arg(together.size()).arg(names.join(QStringLiteral(", ")));
    }
    return text;
}

void FeatureArrowsPlot::plotClicked(const QPointF& pos)
{
    const int feature = featureAt(pos);
    if (feature >= 0)
        Q_EMIT featureClicked(feature);
    else
        Q_EMIT backgroundClicked();
}
