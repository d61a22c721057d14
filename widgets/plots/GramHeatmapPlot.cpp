#include "plots/GramHeatmapPlot.h"

#include "plots/FeaturePalette.h"


#include <algorithm>
#include <cmath>

namespace {

// Integer tick step for n feature indices: every index up to 20, then a round step giving about ten labels.
double featureTickStep(int n)
{
    if (n <= 20)
        return 1.0;
    for (double step : {2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0})
        if (n / step <= 12.0)
            return step;
    return std::pow(10.0, std::ceil(std::log10(n / 10.0)));
}

void setFeatureTicks(QCPAxis* axis, int n)
{
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(featureTickStep(n));
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
    axis->setTicker(ticker);
    axis->setSubTicks(false);
    axis->setRange(-0.5, std::max(n, 1) - 0.5);
}

// Fills one dimension of a colour map so cell k is centred on coordinate k (a single cell is split in two equal
// halves, because QCustomPlot needs two cells to know a cell's width).
void sizeMapDimension(int n, int* cells, QCPRange* range)
{
    if (n <= 1) {
        *cells = 2;
        *range = QCPRange(-0.25, 0.25);
    } else {
        *cells = n;
        *range = QCPRange(0, n - 1);
    }
}

} // namespace

GramHeatmapPlot::GramHeatmapPlot(QWidget* parent) : InteractivePlot(parent)
{
    setNotAntialiasedElements(QCP::aePlottables); // crisp cell edges
    setMinimumSize(240, 200);

    plotLayout()->clear();
    auto* outer = plotLayout();
    m_title = new QCPTextElement(this, QStringLiteral("W\u1d40W and bias b"), titleFont());
    m_title->setMargins(QMargins(0, 4, 0, 8));
    outer->addElement(1, 0, m_title);
    auto* body = new QCPLayoutGrid;
    outer->addElement(2, 0, body);
    outer->expandTo(4, 1);
    outer->setRowStretchFactors({0.001, 0.001, 1.0, 0.001});
    outer->setRowSpacing(0);

    m_gramRect = new QCPAxisRect(this, true);
    m_biasRect = new QCPAxisRect(this, true);
    m_scale = new QCPColorScale(this);
    body->addElement(0, 1, m_gramRect);
    body->addElement(0, 2, m_biasRect);
    body->addElement(0, 3, m_scale);
    body->expandTo(1, 5);
    body->setColumnStretchFactors({0.001, 1.0, 0.001, 0.001, 0.001});
    body->setColumnSpacing(10);

    auto* group = new QCPMarginGroup(this);
    m_gramRect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_biasRect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);

    m_gramRect->setSizeConstraintRect(QCPLayoutElement::scrInnerRect);
    m_gramRect->setMinimumSize(60, 60);
    for (QCPAxis* axis : m_gramRect->axes()) {
        FeaturePalette::styleAxis(axis);
        axis->grid()->setVisible(false);
    }
    QCPAxis* gx = m_gramRect->axis(QCPAxis::atBottom);
    QCPAxis* gy = m_gramRect->axis(QCPAxis::atLeft);
    gx->setLabel(QStringLiteral("feature j"));
    gy->setLabel(QStringLiteral("feature i"));
    gy->setRangeReversed(true);
    // A frame on the other two sides, without ticks.
    for (QCPAxis* axis : {m_gramRect->axis(QCPAxis::atTop), m_gramRect->axis(QCPAxis::atRight)}) {
        axis->setVisible(true);
        axis->setTicks(false);
        axis->setTickLabels(false);
    }

    m_biasRect->setSizeConstraintRect(QCPLayoutElement::scrInnerRect);
    m_biasRect->setMinimumSize(26, 60);
    m_biasRect->setMaximumSize(26, QWIDGETSIZE_MAX);
    m_biasRect->setAutoMargins(QCP::msTop | QCP::msBottom);
    m_biasRect->setMargins(QMargins(0, 0, 0, 0));
    for (QCPAxis* axis : m_biasRect->axes()) {
        FeaturePalette::styleAxis(axis);
        axis->grid()->setVisible(false);
        axis->setVisible(true);
        axis->setTicks(false);
        axis->setTickLabels(false);
    }
    QCPAxis* bx = m_biasRect->axis(QCPAxis::atBottom);
    QCPAxis* by = m_biasRect->axis(QCPAxis::atLeft);
    bx->setLabel(QStringLiteral("b"));
    bx->setLabelFont(titleFont());
    bx->setRange(-0.5, 0.5);
    by->setRangeReversed(true);

    m_scale->setType(QCPAxis::atRight);
    m_scale->setGradient(FeaturePalette::diverging());
    m_scale->setDataRange(QCPRange(-1.0, 1.0));
    m_scale->setBarWidth(14);
    FeaturePalette::styleAxis(m_scale->axis(), QStringLiteral("value"));
    QSharedPointer<QCPAxisTickerFixed> scaleTicker(new QCPAxisTickerFixed);
    scaleTicker->setTickStep(0.5);
    m_scale->axis()->setTicker(scaleTicker);

    m_gramMap = new QCPColorMap(gx, gy);
    m_gramMap->setInterpolate(false);
    m_gramMap->setTightBoundary(false);
    m_gramMap->setGradient(FeaturePalette::diverging());
    m_gramMap->setDataRange(QCPRange(-1.0, 1.0));
    m_gramMap->setSelectable(QCP::stNone);
    m_biasMap = new QCPColorMap(bx, by);
    m_biasMap->setInterpolate(false);
    m_biasMap->setGradient(FeaturePalette::diverging());
    m_biasMap->setDataRange(QCPRange(-1.0, 1.0));
    m_biasMap->setSelectable(QCP::stNone);

    m_rowOutline = makeOutline(m_gramRect);
    m_columnOutline = makeOutline(m_gramRect);
    m_biasOutline = makeOutline(m_biasRect);

    setMatrix(Eigen::MatrixXf(0, 0), Eigen::VectorXf());
}

QCPItemRect* GramHeatmapPlot::makeOutline(QCPAxisRect* rect)
{
    auto* item = new QCPItemRect(this);
    item->setClipAxisRect(rect);
    item->setClipToAxisRect(false);
    item->setSelectable(false);
    for (QCPItemPosition* position : item->positions())
        position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    item->setPen(QPen(FeaturePalette::selectionColor(), 2.5));
    item->setBrush(Qt::NoBrush);
    item->setLayer(QStringLiteral("overlay"));
    item->setVisible(false);
    return item;
}

void GramHeatmapPlot::setTitle(const QString& title) { m_title->setText(title); }

void GramHeatmapPlot::clear()
{
    setMatrix(Eigen::MatrixXf(0, 0), Eigen::VectorXf());
}

void GramHeatmapPlot::setMatrix(const Eigen::MatrixXf& W, const Eigen::VectorXf& b)
{
    const int n = int(W.cols());
    // The Gram matrix is the figure itself (no measure is derived): NaN in W shows as grey rows/columns.
    const Eigen::MatrixXd Wd = W.cast<double>();
    m_gram = Wd.transpose() * Wd;
    m_bias = Eigen::VectorXd::Constant(n, std::numeric_limits<double>::quiet_NaN());
    for (int i = 0; i < std::min<int>(n, int(b.size())); ++i)
        m_bias[i] = b[i];

    int cells = 0;
    QCPRange range;
    sizeMapDimension(n, &cells, &range);
    m_gramMap->data()->setSize(cells, cells);
    m_gramMap->data()->setRange(range, range);
    m_gramMap->data()->fill(std::numeric_limits<double>::quiet_NaN());
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            m_gramMap->data()->setCell(j, i, m_gram(i, j)); // key = column j (x), value = row i (y, reversed)
    m_gramMap->setVisible(n > 0);

    int biasCells = 0;
    QCPRange biasRange;
    sizeMapDimension(n, &biasCells, &biasRange);
    m_biasMap->data()->setSize(2, biasCells);
    m_biasMap->data()->setRange(QCPRange(-0.25, 0.25), biasRange);
    m_biasMap->data()->fill(std::numeric_limits<double>::quiet_NaN());
    for (int i = 0; i < n; ++i) {
        m_biasMap->data()->setCell(0, i, m_bias[i]);
        m_biasMap->data()->setCell(1, i, m_bias[i]);
    }
    m_biasMap->setVisible(n > 0);

    setFeatureTicks(m_gramRect->axis(QCPAxis::atBottom), n);
    setFeatureTicks(m_gramRect->axis(QCPAxis::atLeft), n);
    m_gramRect->axis(QCPAxis::atTop)->setRange(m_gramRect->axis(QCPAxis::atBottom)->range());
    m_gramRect->axis(QCPAxis::atRight)->setRange(m_gramRect->axis(QCPAxis::atLeft)->range());
    m_biasRect->axis(QCPAxis::atLeft)->setRange(m_gramRect->axis(QCPAxis::atLeft)->range());
    m_biasRect->axis(QCPAxis::atRight)->setRange(m_gramRect->axis(QCPAxis::atLeft)->range());
    applySelection();
    replot(rpQueuedReplot);
}

void GramHeatmapPlot::setSelectedFeature(int feature)
{
    if (feature == m_selected)
        return;
    m_selected = feature;
    applySelection();
    replot(rpQueuedReplot);
}

void GramHeatmapPlot::applySelection()
{
    const int n = featureCount();
    const bool visible = m_selected >= 0 && m_selected < n;
    for (QCPItemRect* item : selectionItems())
        item->setVisible(visible);
    if (!visible)
        return;
    const double s = m_selected;
    m_rowOutline->topLeft->setCoords(-0.5, s - 0.5);
    m_rowOutline->bottomRight->setCoords(n - 0.5, s + 0.5);
    m_columnOutline->topLeft->setCoords(s - 0.5, -0.5);
    m_columnOutline->bottomRight->setCoords(s + 0.5, n - 0.5);
    m_biasOutline->topLeft->setCoords(-0.5, s - 0.5);
    m_biasOutline->bottomRight->setCoords(0.5, s + 0.5);
}

void GramHeatmapPlot::updateLayout()
{
    // Keep the heatmap square: lay out freely, cap its inner rect at the smaller side, lay out again (the spacer
    // rows and columns take the rest, so the figure stays centred).
    m_gramRect->setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX);
    QCustomPlot::updateLayout();
    const int side = std::max(40, std::min(m_gramRect->rect().width(), m_gramRect->rect().height()));
    m_gramRect->setMaximumSize(side, side);
    QCustomPlot::updateLayout();
}

QPointF GramHeatmapPlot::cellPixel(int row, int column) const
{
    return {m_gramRect->axis(QCPAxis::atBottom)->coordToPixel(column),
            m_gramRect->axis(QCPAxis::atLeft)->coordToPixel(row)};
}

QPointF GramHeatmapPlot::biasPixel(int feature) const
{
    return {m_biasRect->axis(QCPAxis::atBottom)->coordToPixel(0.0),
            m_biasRect->axis(QCPAxis::atLeft)->coordToPixel(feature)};
}

bool GramHeatmapPlot::cellAt(const QPointF& pos, int* row, int* column, bool* bias) const
{
    const int n = featureCount();
    if (n == 0)
        return false;
    const QPoint p = pos.toPoint();
    if (m_gramRect->rect().contains(p)) {
        *row = int(std::lround(m_gramRect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        *column = int(std::lround(m_gramRect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x())));
        *bias = false;
    } else if (m_biasRect->rect().contains(p)) {
        *row = int(std::lround(m_biasRect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        *column = 0;
        *bias = true;
    } else {
        return false;
    }
    return *row >= 0 && *row < n && *column >= 0 && *column < n;
}

int GramHeatmapPlot::featureAt(const QPointF& pos) const
{
    int row = -1, column = -1;
    bool bias = false;
    return cellAt(pos, &row, &column, &bias) ? row : -1;
}

QString GramHeatmapPlot::hoverText(const QPointF& pos) const
{
    int row = -1, column = -1;
    bool bias = false;
    if (!cellAt(pos, &row, &column, &bias))
        return QString();
    if (bias)
        return QStringLiteral("b[%1] = %2").arg(row).arg(m_bias[row], 0, 'f', 4);
    const double value = m_gram(row, column);
    QString text = QStringLiteral("i = %1, j = %2\n(W\u1d40W)[i, j] = %3").arg(row).arg(column).arg(value, 0, 'f', 4);
    const double norms = std::sqrt(m_gram(row, row) * m_gram(column, column));
    if (row != column && norms > 1e-12 && std::isfinite(norms))
        text += QStringLiteral("\ncos \u2220 = %1").arg(value / norms, 0, 'f', 3);
    return text;
}

void GramHeatmapPlot::plotClicked(const QPointF& pos)
{
    const int feature = featureAt(pos);
    if (feature >= 0)
        Q_EMIT featureClicked(feature);
    else
        Q_EMIT backgroundClicked();
}
