#include "plots/FeatureArrowsPlot.h"

#include "plots/ColorMaps.h"
#include "plots/FeaturePalette.h"
#include "common/Theme.h"

#include "geometry/FeatureMeasures.h"

#include <Eigen/Eigenvalues>

#include <QFontMetrics>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <map>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Shafts of the many-feature star: the first categorical colour, translucent so thousands of shafts form a density.
QColor shaftColor(int alpha)
{
    QColor c = ColorMaps::okabeIto(ColorMaps::OkabeIto::Blue);
    c.setAlpha(alpha);
    return c;
}

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

void bindToRect(QCPAbstractItem* item, QCPAxisRect* rect)
{
    item->setClipAxisRect(rect);
    item->setClipToAxisRect(true);
    item->setSelectable(false);
    for (QCPItemPosition* position : item->positions())
        position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    for (QCPItemPosition* position : item->positions())
        position->setAxisRect(rect);
}

} // namespace

FeatureArrowsPlot::FeatureArrowsPlot(QWidget* parent) : InteractivePlot(parent)
{
    // The note's corner depends on the theme's font size too, which can change without new weights.
    connect(this, &QCustomPlot::beforeReplot, this, [this] {
        for (const Instance& instance : m_instances)
            placeGeometryText(instance);
    });
    setBackground(Qt::white);
    setAntialiasedElements(QCP::aeAll);
    setMinimumSize(240, 200);
    setMouseTracking(true);
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
    std::vector<Instance> fresh;
    const bool wasProjected = m_projected, wasLineMode = m_lineMode;
    m_projected = false;
    m_lineMode = false;
    m_projectedFrom = 0;
    double maxNorm = 0;
    for (std::size_t k = 0; k < W.size(); ++k) {
        Instance instance;
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
            instance.position = pcaProjection(w);
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
    if (wasProjected == m_projected && wasLineMode == m_lineMode && updateInPlace(fresh, limit)) {
        replot(rpQueuedReplot);
        return;
    }
    m_instances = std::move(fresh);
    m_limit = limit;
    rebuild();
    replot(rpQueuedReplot);
}

bool FeatureArrowsPlot::updateInPlace(std::vector<Instance>& fresh, double limit)
{
    if (fresh.size() != m_instances.size() || m_instances.empty())
        return false;
    for (std::size_t k = 0; k < fresh.size(); ++k) {
        const Instance& old = m_instances[k];
        const Instance& now = fresh[k];
        if (old.n != now.n || old.m != now.m || old.title != now.title || !old.rect ||
            old.geometryLabel.isEmpty() != now.geometryLabel.isEmpty())
            return false;
        for (int i = 0; i < now.n && now.n <= kBulkFeatures; ++i)
            if ((old.norms[i] >= kDroppedNorm) != (now.norms[i] >= kDroppedNorm))
                return false; // an arrow became a dot or back: rebuild
    }
    m_limit = limit;
    for (std::size_t k = 0; k < fresh.size(); ++k) {
        Instance& old = m_instances[k];
        Instance& now = fresh[k];
        now.titleElement = old.titleElement;
        now.rect = old.rect;
        now.arrows = std::move(old.arrows);
        now.dots = std::move(old.dots);
        now.labels = std::move(old.labels);
        now.selectionLabel = old.selectionLabel;
        now.geometryText = old.geometryText;
        now.shafts = old.shafts;
        now.droppedDots = old.droppedDots;
        now.selectedArrow = old.selectedArrow;
        if (now.shafts)
            fillBulk(now);
        for (QCPAxis* axis : now.rect->axes())
            axis->setRange(-m_limit, m_limit);
        for (int i = 0; i < now.n; ++i) {
            const QPointF tip(now.position(0, i), now.position(1, i));
            if (QCPItemLine* arrow = now.arrows[std::size_t(i)])
                arrow->end->setCoords(tip);
            if (QCPItemTracer* dot = now.dots[std::size_t(i)])
                dot->position->setCoords(tip);
            if (QCPItemText* label = now.labels[std::size_t(i)])
                label->position->setCoords(labelPosition(now, i));
        }
        if (now.geometryText) {
            now.geometryText->setText(now.geometryLabel);
            placeGeometryText(now);
        }
    }
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
        const QString header = m_projected ? QStringLiteral("PCA projection of the columns of W (two leading axes)")
                                           : QStringLiteral("m = 1: each feature's weight on the hidden dimension");
        auto* text = new QCPTextElement(this, header, FeaturePalette::font(11.0));
        text->setTextColor(QColor(60, 60, 60));
        text->setMargins(QMargins(0, 2, 0, 4));
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
    for (std::size_t k = 0; k < m_instances.size(); ++k) {
        buildInstance(m_instances[k]);
    }
    arrangeGrid(chooseColumns(size()));
    applySelection();
}

void FeatureArrowsPlot::buildInstance(Instance& instance)
{
    instance.titleElement = new QCPTextElement(this, instance.title, FeaturePalette::font(11.0, true));
    instance.titleElement->setMargins(QMargins(2, 4, 2, 2));
    auto* rect = new QCPAxisRect(this, true);
    instance.rect = rect;
    // Provisional place in the grid (arrangeGrid re-flows every panel).
    m_grid->addElement(m_grid->rowCount(), 0, instance.titleElement);
    m_grid->addElement(m_grid->rowCount(), 0, rect);
    rect->setAutoMargins(QCP::msNone);
    rect->setMargins(QMargins(1, 1, 1, 1));
    rect->setMinimumSize(60, 60);
    rect->setSizeConstraintRect(QCPLayoutElement::scrInnerRect);
    for (QCPAxis* axis : rect->axes()) {
        axis->setVisible(true);
        axis->setTicks(false);
        axis->setTickLabels(false);
        axis->setBasePen(QPen(QColor(205, 205, 205), 1));
        axis->grid()->setVisible(false);
        axis->setRange(-m_limit, m_limit);
    }
    const QPen guidePen(FeaturePalette::referenceColor(), 1, Qt::DashLine);
    // Cross hair through the origin, and the unit circle (or unit ticks on the line for m == 1).
    auto addLine = [&](double x0, double y0, double x1, double y1, const QPen& pen) {
        auto* line = new QCPItemLine(this);
        bindToRect(line, rect);
        line->start->setCoords(x0, y0);
        line->end->setCoords(x1, y1);
        line->setPen(pen);
        return line;
    };
    const QPen axisPen(QColor(225, 225, 225), 1);
    if (instance.m == 1) {
        addLine(-m_limit, 0, m_limit, 0, QPen(QColor(120, 120, 120), 1.5));
        for (double t : {-1.0, 1.0}) {
            addLine(t, -0.06 * m_limit, t, 0.06 * m_limit, QPen(QColor(140, 140, 140), 1.5));
            auto* tick = new QCPItemText(this);
            bindToRect(tick, rect);
            tick->position->setCoords(t, -0.08 * m_limit);
            tick->setPositionAlignment(Qt::AlignHCenter | Qt::AlignTop);
            tick->setFont(FeaturePalette::font(10.0));
            tick->setColor(QColor(120, 120, 120));
            tick->setText(t > 0 ? QStringLiteral("+1") : QStringLiteral("\u22121"));
        }
    } else {
        addLine(-m_limit, 0, m_limit, 0, axisPen);
        addLine(0, -m_limit, 0, m_limit, axisPen);
        auto* circle = new QCPItemEllipse(this);
        bindToRect(circle, rect);
        circle->topLeft->setCoords(-1.0, 1.0);
        circle->bottomRight->setCoords(1.0, -1.0);
        circle->setPen(guidePen);
        circle->setBrush(Qt::NoBrush);
    }

    const int n = instance.n;
    const bool many = n > 40;
    instance.arrows.assign(std::size_t(n), nullptr);
    if (n > kBulkFeatures) {
        instance.dots.assign(std::size_t(n), nullptr);
        instance.labels.assign(std::size_t(n), nullptr);
        instance.shafts = new QCPCurve(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        instance.shafts->setPen(QPen(shaftColor(150), 1.0));
        instance.shafts->setScatterStyle(QCPScatterStyle::ssNone);
        instance.droppedDots = new QCPCurve(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        instance.droppedDots->setLineStyle(QCPCurve::lsNone);
        instance.droppedDots->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDisc, FeaturePalette::droppedColor(), FeaturePalette::droppedColor(), 4));
        instance.selectedArrow = new QCPItemLine(this);
        bindToRect(instance.selectedArrow, rect);
        instance.selectedArrow->start->setCoords(0.0, 0.0);
        instance.selectedArrow->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, 15, 17));
        instance.selectedArrow->setLayer(QStringLiteral("overlay"));
        instance.selectedArrow->setVisible(false);
        fillBulk(instance);
    }
    if (n <= kBulkFeatures) {
        instance.dots.assign(std::size_t(n), nullptr);
        instance.labels.assign(std::size_t(n), nullptr);
    }

    for (int i = 0; i < n && n <= kBulkFeatures; ++i) {
        const double px = instance.position(0, i);
        const double py = instance.position(1, i);
        const bool dropped = !(instance.norms[i] >= kDroppedNorm);
        const QColor colour = FeaturePalette::featureColor(i);
        if (dropped || instance.m == 1) {
            auto* dot = new QCPItemTracer(this);
            bindToRect(dot, rect);
            dot->setGraph(nullptr);
            dot->position->setCoords(px, py);
            dot->setStyle(QCPItemTracer::tsCircle);
            dot->setSize(dropped ? 5 : 11);
            const QColor c = dropped ? FeaturePalette::droppedColor() : colour;
            dot->setPen(QPen(dropped ? c : c.darker(130), 1));
            dot->setBrush(c);
            instance.dots[std::size_t(i)] = dot;
        } else {
            auto* arrow = new QCPItemLine(this);
            bindToRect(arrow, rect);
            arrow->start->setCoords(0.0, 0.0);
            arrow->end->setCoords(px, py);
            arrow->setPen(QPen(colour, many ? 1.2 : 2.4, Qt::SolidLine, Qt::RoundCap));
            arrow->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, many ? 6 : 11, many ? 7 : 13));
            instance.arrows[std::size_t(i)] = arrow;
        }
        // Index labels just beyond the tips for up to 20 features; beyond that one label follows the selection.
        if (n <= 20) {
            auto* label = new QCPItemText(this);
            bindToRect(label, rect);
            label->position->setCoords(labelPosition(instance, i));
            label->setPositionAlignment(Qt::AlignCenter);
            label->setFont(FeaturePalette::font(10.0));
            label->setColor(dropped ? FeaturePalette::droppedColor().darker(130) : colour.darker(125));
            label->setText(QString::number(i));
            instance.labels[std::size_t(i)] = label;
        }
    }
    if (n > 20) {
        instance.selectionLabel = new QCPItemText(this);
        bindToRect(instance.selectionLabel, rect);
        instance.selectionLabel->setPositionAlignment(Qt::AlignCenter);
        instance.selectionLabel->setFont(FeaturePalette::font(12.0, true));
        instance.selectionLabel->setLayer(QStringLiteral("overlay"));
        instance.selectionLabel->setVisible(false);
    }

    if (instance.m > 2) {
        auto* note = new QCPItemText(this);
        bindToRect(note, rect);
        note->position->setType(QCPItemPosition::ptAxisRectRatio);
        note->position->setCoords(0.98, 0.98);
        note->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        note->setFont(FeaturePalette::font(10.0));
        note->setColor(QColor(110, 110, 110));
        note->setText(QStringLiteral("PCA of m = %1").arg(instance.m));
    }
    if (!instance.geometryLabel.isEmpty()) {
        auto* text = new QCPItemText(this);
        bindToRect(text, rect);
        text->position->setType(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(0.02, 0.02);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setTextAlignment(Qt::AlignLeft);
        text->setFont(FeaturePalette::font(10.0));
        text->setColor(QColor(50, 50, 50));
        text->setBrush(QColor(255, 255, 255, 215));
        text->setPadding(QMargins(3, 1, 3, 1));
        text->setText(instance.geometryLabel);
        instance.geometryText = text;
        placeGeometryText(instance);
    }
}

void FeatureArrowsPlot::fillBulk(Instance& instance)
{
    // One curve of segments origin -> tip separated by NaN gaps, and one of dots for the dropped features.
    QVector<double> t, x, y, dt, dx, dy;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i < instance.n; ++i) {
        const double px = instance.position(0, i), py = instance.position(1, i);
        if (!(instance.norms[i] >= kDroppedNorm)) {
            dt << dt.size();
            dx << px;
            dy << py;
            continue;
        }
        t << t.size() << t.size() + 1 << t.size() + 2;
        x << 0.0 << px << nan;
        y << 0.0 << py << nan;
    }
    instance.shafts->setData(t, x, y, true);
    instance.droppedDots->setData(dt, dx, dy, true);
}

QPointF FeatureArrowsPlot::labelPosition(const Instance& instance, int i) const
{
    // Beyond the tip along the arrow (alternating above/below the line for m == 1).
    const double px = instance.position(0, i);
    const double py = instance.position(1, i);
    const double r = std::hypot(px, py);
    if (instance.m == 1)
        return {px, (i % 2 == 0 ? 0.12 : -0.12) * m_limit};
    if (r > 1e-9)
        return {px + 0.09 * m_limit * px / r, py + 0.09 * m_limit * py / r};
    return {px, py + 0.07 * m_limit};
}

void FeatureArrowsPlot::placeGeometryText(const Instance& instance) const
{
    QCPItemText* text = instance.geometryText;
    if (!text)
        return;
    // The note's extent as a fraction of a typical panel (about 240 px square, four columns at 1280 px), in the
    // current theme's font size. A fixed reference rather than the current layout keeps the choice independent of
    // the window, so a session re-renders the same figure.
    QFont font = text->font();
    font.setPointSizeF(FeaturePalette::font(10.0).pointSizeF() * Theme::plotPalette().baseFontPt /
                       Theme::PlotPalette{}.baseFontPt);
    const QFontMetrics metrics(font);
    const QStringList lines = text->text().split(QLatin1Char('\n'));
    int width = 0;
    for (const QString& line : lines)
        width = std::max(width, metrics.horizontalAdvance(line));
    const double reference = 240.0;
    const double boxW = std::min(0.9, (width + 10) / reference) * 2.0 * m_limit;
    const double boxH = std::min(0.9, (lines.size() * metrics.height() + 6) / reference) * 2.0 * m_limit;
    // What the note may hide: tips, index labels, and the outer part of each shaft.
    std::vector<QPointF> points;
    for (int i = 0; i < instance.n; ++i) {
        const QPointF tip(instance.position(0, i), instance.position(1, i));
        if (!std::isfinite(tip.x()) || !std::isfinite(tip.y()))
            continue;
        points.push_back(tip);
        points.push_back(tip * 0.8);
        points.push_back(tip * 0.6);
        if (instance.labels.size() > std::size_t(i) && instance.labels[std::size_t(i)])
            points.push_back(labelPosition(instance, i));
    }
    struct Corner {
        double x, y; // ratio position of the anchor
        Qt::Alignment alignment;
        double sx, sy; // direction from the corner into the panel
    };
    // Top-left first (where readers look), then top-right, bottom-left; bottom-right holds the PCA note when m > 2.
    const Corner corners[] = {{0.02, 0.02, Qt::AlignLeft | Qt::AlignTop, 1, -1},
                              {0.98, 0.02, Qt::AlignRight | Qt::AlignTop, -1, -1},
                              {0.02, 0.98, Qt::AlignLeft | Qt::AlignBottom, 1, 1},
                              {0.98, 0.98, Qt::AlignRight | Qt::AlignBottom, -1, 1}};
    const int cornerCount = instance.m > 2 ? 3 : 4;
    int best = 0, bestHidden = std::numeric_limits<int>::max();
    for (int c = 0; c < cornerCount; ++c) {
        const double cx = -corners[c].sx * m_limit, cy = -corners[c].sy * m_limit;
        const double x0 = std::min(cx, cx + corners[c].sx * boxW), x1 = std::max(cx, cx + corners[c].sx * boxW);
        const double y0 = std::min(cy, cy + corners[c].sy * boxH), y1 = std::max(cy, cy + corners[c].sy * boxH);
        int hidden = 0;
        for (const QPointF& p : points)
            hidden += p.x() >= x0 && p.x() <= x1 && p.y() >= y0 && p.y() <= y1;
        if (hidden < bestHidden) {
            bestHidden = hidden;
            best = c;
        }
    }
    text->position->setCoords(corners[best].x, corners[best].y);
    text->setPositionAlignment(corners[best].alignment);
}

int FeatureArrowsPlot::chooseColumns(const QSize& size) const
{
    const int count = int(m_instances.size());
    if (count <= 1)
        return 1;
    const double titleHeight = QFontMetrics(FeaturePalette::font(11.0, true)).height() + 8;
    const double headerHeight = (m_projected || m_lineMode) ? QFontMetrics(FeaturePalette::font(11.0)).height() + 6 : 0;
    std::vector<double> sides(5, 0.0);
    double bestSide = 0;
    for (int columns = 1; columns <= std::min(4, count); ++columns) {
        const int rows = (count + columns - 1) / columns;
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
    for (Instance& instance : m_instances) {
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
    for (const Instance& instance : m_instances)
        instance.rect->setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX);
    QCustomPlot::updateLayout();
    if (m_instances.empty())
        return;
    int side = INT_MAX;
    for (const Instance& instance : m_instances)
        side = std::min({side, instance.rect->rect().width(), instance.rect->rect().height()});
    side = std::max(side, 20);
    for (const Instance& instance : m_instances)
        instance.rect->setMaximumSize(side, side);
    QCustomPlot::updateLayout();
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
    const bool any = m_selected >= 0;
    for (Instance& instance : m_instances) {
        if (instance.selectionLabel)
            instance.selectionLabel->setVisible(m_selected >= 0 && m_selected < instance.n);
        const bool many = instance.n > 40;
        const bool headless = instance.n > 60; // hundreds of arrow heads are only noise
        const bool inRange = m_selected >= 0 && m_selected < instance.n;
        if (instance.shafts) {
            instance.shafts->setPen(QPen(shaftColor(any ? 60 : 150), 1.0));
            const bool show = inRange && instance.norms[m_selected] >= kDroppedNorm;
            instance.selectedArrow->setVisible(show);
            if (show) {
                instance.selectedArrow->end->setCoords(instance.position(0, m_selected), instance.position(1, m_selected));
                instance.selectedArrow->setPen(QPen(FeaturePalette::featureColor(m_selected), 4.0, Qt::SolidLine, Qt::RoundCap));
            }
        }
        for (int i = 0; i < instance.n; ++i) {
            const bool selected = inRange && i == m_selected;
            QColor colour = FeaturePalette::featureColor(i);
            if (any && !selected)
                colour.setAlpha(70);
            if (QCPItemLine* arrow = instance.arrows[std::size_t(i)]) {
                arrow->setPen(QPen(colour, selected ? 4.5 : (many ? 1.2 : 2.4), Qt::SolidLine, Qt::RoundCap));
                if (headless && !selected)
                    arrow->setHead(QCPLineEnding(QCPLineEnding::esDisc, 3, 3));
                else
                    arrow->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, selected ? 15 : (many ? 6 : 11),
                                                 selected ? 17 : (many ? 7 : 13)));
                arrow->setLayer(selected ? QStringLiteral("overlay") : QStringLiteral("main"));
            }
            if (QCPItemTracer* dot = instance.dots[std::size_t(i)]) {
                const bool dropped = !(instance.norms[i] >= kDroppedNorm);
                const int base = dropped ? 5 : 11;
                dot->setSize(selected ? base + 6 : base);
                dot->setPen(selected ? QPen(FeaturePalette::selectionColor(), 2) : QPen(dot->brush().color(), 1));
                dot->setLayer(selected ? QStringLiteral("overlay") : QStringLiteral("main"));
            }
            if (selected && instance.selectionLabel) {
                instance.selectionLabel->position->setCoords(labelPosition(instance, i));
                instance.selectionLabel->setText(QString::number(i));
                instance.selectionLabel->setColor(FeaturePalette::featureColor(i).darker(125));
            }
            if (QCPItemText* label = instance.labels[std::size_t(i)]) {
                const bool dropped = !(instance.norms[i] >= kDroppedNorm);
                label->setVisible((instance.n <= 20 && !dropped) || selected);
                label->setFont(FeaturePalette::font(selected ? 12.0 : 10.0, selected));
                label->setLayer(selected ? QStringLiteral("overlay") : QStringLiteral("main"));
            }
        }
    }
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
    const Instance& in = m_instances[std::size_t(instance)];
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
    const Instance& in = m_instances[std::size_t(instance)];
    return feature >= 0 && feature < in.n && !(in.norms[feature] >= kDroppedNorm);
}

QCPItemLine* FeatureArrowsPlot::arrowItem(int instance, int feature) const
{
    if (instance < 0 || instance >= instanceCount())
        return nullptr;
    const Instance& in = m_instances[std::size_t(instance)];
    return feature >= 0 && feature < in.n ? in.arrows[std::size_t(feature)] : nullptr;
}

int FeatureArrowsPlot::featureAt(const QPointF& pos, int* instanceOut) const
{
    for (int k = 0; k < instanceCount(); ++k) {
        const Instance& in = m_instances[std::size_t(k)];
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
    const Instance& in = m_instances[std::size_t(k)];
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
