#include "plots/LogScatterPlot.h"

#include "plots/FreshAxisMargins.h"
#include "plots/ReferenceLabelPlacer.h"

#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

LogScatterPlot::LogScatterPlot(QWidget* parent) : QCustomPlot(parent)
{
    FreshAxisMargins::install(this);
    m_labelPlacer = new ReferenceLabelPlacer(this);
    m_baseFont = font();
    m_baseFont.setPointSizeF(10.0);
    QFont labelFont = m_baseFont;
    labelFont.setPointSizeF(11.0);
    QFont titleFont = m_baseFont;
    titleFont.setPointSizeF(12.0);
    titleFont.setBold(true);

    setAntialiasedElements(QCP::aeAll);
    setNoAntialiasingOnDrag(true);
    setMinimumSize(200, 160);

    // Row 0: title, row 1: axes, row 2: legend (outside the data area).
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(this, QString(), titleFont);
    plotLayout()->addElement(0, 0, m_title);

    m_legendRow = new QCPLayoutGrid;
    plotLayout()->addElement(2, 0, m_legendRow);
    m_legendRow->setMargins(QMargins(0, 0, 0, 0));
    m_legendRow->addElement(0, 0, legend);
    legend->setVisible(true);
    legend->setFont(m_baseFont);
    legend->setBrush(Qt::NoBrush);
    legend->setBorderPen(Qt::NoPen);
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    legend->setWrap(3);
    legend->setIconSize(22, 12);
    legend->setRowSpacing(0);
    legend->setColumnSpacing(10);
    legend->setMargins(QMargins(4, 0, 4, 2));
    plotLayout()->setRowStretchFactor(0, 0.001);
    plotLayout()->setRowStretchFactor(2, 0.001);
    plotLayout()->setRowSpacing(2);

    for (QCPAxis* axis : {xAxis, yAxis}) {
        axis->setTickLabelFont(m_baseFont);
        axis->setLabelFont(labelFont);
        axis->grid()->setSubGridVisible(false);
        axis->grid()->setPen(QPen(QColor(215, 215, 215), 0, Qt::DotLine));
    }
    xAxis2->setVisible(false);
    yAxis2->setVisible(false);

    setMouseTracking(true);
    connect(this, &QCustomPlot::mouseMove, this, &LogScatterPlot::onMouseMove);
}

void LogScatterPlot::setTitle(const QString& title) { m_title->setText(title); }

QString LogScatterPlot::title() const { return m_title->text(); }

void LogScatterPlot::setLegendColumns(int columns) { legend->setWrap(std::max(1, columns)); }

void LogScatterPlot::configureAxis(QCPAxis* axis, const QString& label, Scale scale)
{
    axis->setLabel(label);
    if (scale == Scale::Linear) {
        axis->setScaleType(QCPAxis::stLinear);
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        axis->setNumberFormat(QStringLiteral("g"));
        axis->setNumberPrecision(6);
        return;
    }
    axis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    ticker->setLogBase(scale == Scale::Log2 ? 2.0 : 10.0);
    ticker->setSubTickCount(scale == Scale::Log2 ? 1 : 8);
    axis->setTicker(ticker);
    setPowerTickLabels(axis, scale == Scale::Log10);
}

void LogScatterPlot::setPowerTickLabels(QCPAxis* axis, bool powers)
{
    if (powers) {
        axis->setNumberFormat(QStringLiteral("eb")); // 10^n with superscript exponents
        axis->setNumberPrecision(0);
    } else {
        axis->setNumberFormat(QStringLiteral("g"));
        axis->setNumberPrecision(6);
    }
}

void LogScatterPlot::setAxes(const QString& xLabel, Scale xScale, const QString& yLabel, Scale yScale)
{
    configureAxis(xAxis, xLabel, xScale);
    configureAxis(yAxis, yLabel, yScale);
}

void LogScatterPlot::clearContent()
{
    clearGraphs();
    clearItems();
    m_labelPlacer->clear();
    m_hover.clear();
    m_referenceX.clear();
    m_referenceY.clear();
}

QCPGraph* LogScatterPlot::addSeries(const QString& name, const QVector<double>& x, const QVector<double>& y,
                                    const QStringList& hoverLabels, const QPen& pen, const QCPScatterStyle& scatter,
                                    bool connect, bool inLegend)
{
    QCPGraph* graph = addGraph();
    graph->setName(name);
    graph->setPen(pen);
    graph->setLineStyle(connect ? QCPGraph::lsLine : QCPGraph::lsNone);
    graph->setScatterStyle(scatter);
    // QCustomPlot keeps data sorted by key: sort the points and their hover labels together.
    QVector<int> order(int(std::min(x.size(), y.size())));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return x[a] < x[b]; });
    QVector<double> xs, ys;
    QStringList labels;
    for (int i : order) {
        xs.append(x[i]);
        ys.append(y[i]);
        if (i < hoverLabels.size())
            labels.append(hoverLabels[i]);
    }
    graph->setData(xs, ys, true);
    graph->setSelectable(QCP::stNone);
    if (!inLegend)
        graph->removeFromLegend();
    if (!hoverLabels.isEmpty())
        m_hover.append({graph, labels});
    return graph;
}

QCPGraph* LogScatterPlot::addCurve(const QString& name, const QVector<double>& x, const QVector<double>& y,
                                   const QPen& pen, bool inLegend)
{
    return addSeries(name, x, y, {}, pen, QCPScatterStyle(QCPScatterStyle::ssNone), true, inLegend);
}

void LogScatterPlot::addHorizontalReference(double y, const QString& label, const QPen& pen, double labelPosition,
                                            Qt::Alignment labelAlignment)
{
    auto* line = new QCPItemLine(this);
    line->setPen(pen);
    line->start->setTypeX(QCPItemPosition::ptAxisRectRatio);
    line->end->setTypeX(QCPItemPosition::ptAxisRectRatio);
    line->start->setCoords(0.0, y);
    line->end->setCoords(1.0, y);
    line->setSelectable(false);
    m_referenceY.append(y);
    if (label.isEmpty())
        return;
    auto* text = new QCPItemText(this);
    text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(labelPosition, y);
    text->setPositionAlignment(labelAlignment);
    text->setText(label);
    text->setFont(m_baseFont);
    text->setColor(pen.color().darker(115));
    text->setPadding(QMargins(2, 0, 2, 1));
    text->setSelectable(false);
    m_labelPlacer->add(text, line, Qt::Horizontal, labelPosition, labelAlignment);
}

void LogScatterPlot::addVerticalReference(double x, const QString& label, const QPen& pen, double labelPosition)
{
    auto* line = new QCPItemLine(this);
    line->setPen(pen);
    line->start->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->end->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->start->setCoords(x, 0.0);
    line->end->setCoords(x, 1.0);
    line->setSelectable(false);
    m_referenceX.append(x);
    if (label.isEmpty())
        return;
    auto* text = new QCPItemText(this);
    text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(x, labelPosition);
    text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    text->setText(label);
    text->setFont(m_baseFont);
    text->setColor(pen.color().darker(115));
    text->setPadding(QMargins(3, 0, 2, 0));
    text->setSelectable(false);
    m_labelPlacer->add(text, line, Qt::Vertical, labelPosition, Qt::AlignLeft | Qt::AlignTop);
}

QCPItemText* LogScatterPlot::addLabel(double x, double y, const QString& text, const QColor& color,
                                      Qt::Alignment alignment)
{
    auto* item = new QCPItemText(this);
    item->position->setCoords(x, y);
    item->setPositionAlignment(alignment);
    item->setText(text);
    item->setFont(m_baseFont);
    item->setColor(color);
    item->setPadding(QMargins(3, 1, 3, 1));
    item->setBrush(QColor(255, 255, 255, 215)); // readable where it crosses a line
    item->setSelectable(false);
    return item;
}

namespace {

void fitAxis(QCPAxis* axis, double lo, double hi, double logPadding, double linearPadding)
{
    if (!(lo <= hi))
        return;
    if (axis->scaleType() == QCPAxis::stLogarithmic) {
        const double l = std::log10(lo) - logPadding;
        const double h = std::log10(hi) + logPadding;
        axis->setRange(std::pow(10.0, l), std::pow(10.0, h));
    } else {
        const double span = hi > lo ? hi - lo : std::max(1.0, std::abs(hi));
        axis->setRange(lo - linearPadding * span, hi + linearPadding * span);
    }
}

} // namespace

void LogScatterPlot::fitRanges(double logPadding, double linearPadding)
{
    const bool xLog = xAxis->scaleType() == QCPAxis::stLogarithmic;
    const bool yLog = yAxis->scaleType() == QCPAxis::stLogarithmic;
    double xLo = std::numeric_limits<double>::infinity(), xHi = -xLo, yLo = xLo, yHi = -xLo;
    auto takeX = [&](double x) {
        if (std::isfinite(x) && (!xLog || x > 0.0)) {
            xLo = std::min(xLo, x);
            xHi = std::max(xHi, x);
        }
    };
    auto takeY = [&](double y) {
        if (std::isfinite(y) && (!yLog || y > 0.0)) {
            yLo = std::min(yLo, y);
            yHi = std::max(yHi, y);
        }
    };
    for (int i = 0; i < graphCount(); ++i)
        for (auto it = graph(i)->data()->constBegin(); it != graph(i)->data()->constEnd(); ++it) {
            takeX(it->key);
            takeY(it->value);
        }
    for (double x : m_referenceX)
        takeX(x);
    for (double y : m_referenceY)
        takeY(y);
    fitAxis(xAxis, xLo, xHi, logPadding, linearPadding);
    fitAxis(yAxis, yLo, yHi, logPadding, linearPadding);
}

QString LogScatterPlot::hoverTextAt(const QPointF& pos, double radius) const
{
    double best = radius * radius;
    QString text;
    for (const auto& series : m_hover) {
        if (!series.graph || !series.graph->visible())
            continue;
        QCPAxis* keyAxis = series.graph->keyAxis();
        QCPAxis* valueAxis = series.graph->valueAxis();
        int index = 0;
        for (auto it = series.graph->data()->constBegin(); it != series.graph->data()->constEnd(); ++it, ++index) {
            const double dx = keyAxis->coordToPixel(it->key) - pos.x();
            const double dy = valueAxis->coordToPixel(it->value) - pos.y();
            const double d2 = dx * dx + dy * dy;
            if (d2 <= best && index < series.labels.size()) {
                best = d2;
                text = series.labels.at(index);
            }
        }
    }
    return text;
}

int LogScatterPlot::seriesWithData() const
{
    int count = 0;
    for (int i = 0; i < graphCount(); ++i)
        if (!graph(i)->data()->isEmpty())
            ++count;
    return count;
}

void LogScatterPlot::onMouseMove(QMouseEvent* event)
{
    const QString text = hoverTextAt(event->position());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}
