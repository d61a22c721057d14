#include "plots/NormBarsPlot.h"

#include "common/FigureText.h"

#include <QFontMetrics>

#include "common/Theme.h"
#include "plots/FeaturePalette.h"

#include "geometry/FeatureMeasures.h"


#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double featureTickStep(int n)
{
    if (n <= 20)
        return 1.0;
    for (double step : {2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0})
        if (n / step <= 12.0)
            return step;
    return std::pow(10.0, std::ceil(std::log10(n / 10.0)));
}

} // namespace

NormBarsPlot::NormBarsPlot(QWidget* parent) : InteractivePlot(parent)
{
    setNotAntialiasedElements(QCP::aePlottables);
    setMinimumSize(240, 200);
    rebuild();
}

void NormBarsPlot::clear()
{
    m_instances.clear();
    rebuild();
    replot(rpQueuedReplot);
}

void NormBarsPlot::setInstances(const std::vector<Eigen::MatrixXf>& W, const QStringList& titles,
                                const std::vector<featurescope::FeatureMeasures>* precomputed)
{
    const bool usePrecomputed = precomputed && precomputed->size() == W.size();
    m_instances.clear();
    double maxNorm = 0;
    for (std::size_t k = 0; k < W.size(); ++k) {
        Instance instance;
        const Eigen::MatrixXf w = W[k].unaryExpr([](float v) { return std::isfinite(v) ? v : 0.0f; });
        instance.title = int(k) < titles.size() ? titles[int(k)] : QStringLiteral("instance %1").arg(k);
        instance.n = int(w.cols());
        const bool recompute = !usePrecomputed || (*precomputed)[k].norms.size() != w.cols() || !W[k].allFinite();
        const featurescope::FeatureMeasures measures =
            recompute ? featurescope::computeFeatureMeasures(w) : (*precomputed)[k];
        instance.norms = measures.norms;
        instance.superposition = measures.superposition;
        instance.dimensionality = measures.dimensionality;
        instance.colour.resize(instance.n);
        for (int i = 0; i < instance.n; ++i) {
            instance.colour[i] = featurescope::superpositionColourValue(measures.superposition[i], measures.norms[i]);
            if (std::isfinite(measures.norms[i]))
                maxNorm = std::max(maxNorm, double(measures.norms[i]));
        }
        m_instances.push_back(std::move(instance));
    }
    m_upper = std::max(1.1, maxNorm * 1.03);
    rebuild();
    replot(rpQueuedReplot);
}

void NormBarsPlot::rebuild()
{
    clearItems();
    clearPlottables();
    plotLayout()->clear();
    auto* outer = plotLayout();
    outer->setRowSpacing(0);
    outer->setMargins(QMargins(0, 0, 4, 0)); // QCustomPlot may round the fixed-width colour scale 1-2 px past the edge
    m_grid = new QCPLayoutGrid;
    outer->addElement(0, 0, m_grid);
    auto* xLabel = new QCPTextElement(this, QStringLiteral("\u2016W\u1d62\u2016  (length of feature i's direction)"),
                                      labelFont());
    xLabel->setMargins(QMargins(0, 0, 0, 4));
    xLabel->setProperty(FigureText::kRoleProperty, tr("x-axis label (all columns)"));
    outer->addElement(1, 0, xLabel);
    outer->setRowStretchFactors({1.0, 0.001});
    m_grid->setColumnSpacing(m_instances.size() > 5 ? 6 : 10);
    m_grid->setRowSpacing(0);

    m_group = new QCPMarginGroup(this);
    m_maxFeatures = 0;
    for (const Instance& instance : m_instances)
        m_maxFeatures = std::max(m_maxFeatures, instance.n);
    const int columns = int(m_instances.size());

    QSharedPointer<QCPAxisTickerFixed> featureTicker(new QCPAxisTickerFixed);
    featureTicker->setTickStep(featureTickStep(m_maxFeatures));
    featureTicker->setScaleStrategy(QCPAxisTickerFixed::ssNone);

    for (int k = 0; k < columns; ++k) {
        Instance& instance = m_instances[std::size_t(k)];
        instance.titleElement =
            new QCPTextElement(this, instance.title, FeaturePalette::font(columns > 5 ? 10.0 : 11.0, columns <= 5));
        instance.titleElement->setMargins(QMargins(2, 4, 2, 4));
        instance.titleElement->setProperty(FigureText::kRoleProperty, tr("Column %1 title").arg(k + 1));
        m_grid->addElement(0, k, instance.titleElement);
        auto* rect = new QCPAxisRect(this, true);
        instance.rect = rect;
        m_grid->addElement(1, k, rect);
        rect->setMarginGroup(QCP::msTop | QCP::msBottom, m_group);
        rect->setMinimumSize(24, 60);
        rect->setMinimumMargins(QMargins(4, 4, 10, 4)); // right: room for the last x tick label
        QCPAxis* x = rect->axis(QCPAxis::atBottom);
        QCPAxis* y = rect->axis(QCPAxis::atLeft);
        FeaturePalette::styleAxis(x);
        FeaturePalette::styleAxis(y);
        x->setRange(0.0, m_upper);
        x->grid()->setVisible(true);
        y->setRange(-0.5, std::max(m_maxFeatures, 1) - 0.5);
        y->setRangeReversed(true);
        y->setTicker(featureTicker);
        y->setSubTicks(false);
        y->grid()->setVisible(false);
        y->setTickLabels(k == 0);
        y->setLabel(k == 0 ? QStringLiteral("feature") : QString());
        QSharedPointer<QCPAxisTickerFixed> normTicker(new QCPAxisTickerFixed);
        normTicker->setTickStep(0.5);
        normTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        x->setTicker(normTicker);

        // Row band and bar outline for the selection, under and over the bars.
        instance.band = new QCPItemRect(this);
        instance.band->setClipAxisRect(rect);
        for (QCPItemPosition* p : instance.band->positions()) {
            p->setAxes(x, y);
            p->setAxisRect(rect);
            p->setTypeX(QCPItemPosition::ptAxisRectRatio);
        }
        instance.band->setPen(Qt::NoPen);
        instance.band->setBrush(QColor(0, 0, 0, 28));
        instance.band->setLayer(QStringLiteral("grid"));
        instance.band->setSelectable(false);
        instance.outline = new QCPItemRect(this);
        instance.outline->setClipAxisRect(rect);
        for (QCPItemPosition* p : instance.outline->positions())
            p->setAxes(x, y);
        instance.outline->setBrush(Qt::NoBrush);
        instance.outline->setLayer(QStringLiteral("overlay"));
        instance.outline->setSelectable(false);

        // Bars grouped by quantised colour: one QCPBars per colour level in use.
        const bool dense = instance.n > 60;
        std::vector<QVector<double>> keys(kColourLevels), values(kColourLevels);
        for (int i = 0; i < instance.n; ++i) {
            const double c = std::clamp(double(instance.colour[i]), 0.0, 1.0);
            const int level = std::clamp(int(std::lround(c * (kColourLevels - 1))), 0, kColourLevels - 1);
            keys[std::size_t(level)].append(i);
            values[std::size_t(level)].append(instance.norms[i]);
        }
        for (int level = 0; level < kColourLevels; ++level) {
            if (keys[std::size_t(level)].isEmpty())
                continue;
            auto* bars = new QCPBars(y, x);
            const QColor colour = FeaturePalette::sequentialColor(double(level) / (kColourLevels - 1));
            bars->setBrush(colour);
            bars->setPen(dense ? QPen(Qt::NoPen) : QPen(colour.darker(125), 1));
            bars->setWidth(dense ? 1.0 : 0.78);
            bars->setData(keys[std::size_t(level)], values[std::size_t(level)]);
            bars->setSelectable(QCP::stNone);
            bars->setProperty(Theme::kKeepColours, true); // must match the colour scale beside them in every theme
            bars->setName(QStringLiteral("level %1").arg(level));
        }
    }

    m_scale = new QCPColorScale(this);
    m_grid->addElement(1, std::max(columns, 1), m_scale);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, m_group);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setGradient(FeaturePalette::sequential());
    m_scale->setDataRange(QCPRange(0.0, 1.0));
    m_scale->setBarWidth(14);
    FeaturePalette::styleAxis(m_scale->axis(), QStringLiteral("superposition"));
    QSharedPointer<QCPAxisTickerFixed> scaleTicker(new QCPAxisTickerFixed);
    scaleTicker->setTickStep(0.5);
    m_scale->axis()->setTicker(scaleTicker);
    for (int k = 0; k < m_grid->columnCount(); ++k)
        m_grid->setColumnStretchFactor(k, k < columns ? 1.0 : 0.001);
    m_grid->setRowStretchFactors({0.001, 1.0});
    applySelection();
}

void NormBarsPlot::updateLayout()
{
    // Equal bar lengths in every panel: the first panel also carries the feature axis, so widen its column by the
    // width of those labels (two passes: measure, then correct the stretch factors).
    const int columns = int(m_instances.size());
    for (int k = 0; k < columns; ++k)
        m_grid->setColumnStretchFactor(k, 1.0);
    QCustomPlot::updateLayout();
    if (columns == 0)
        return;
    const QCPAxisRect* first = m_instances.front().rect;
    const int innerWidth = columns > 1 ? m_instances[1].rect->rect().width() : first->rect().width();
    if (columns > 1) {
        // Columns share T = sum of their widths; panel 0 needs `extra` more for equal inner widths.
        int total = 0;
        for (const Instance& instance : m_instances)
            total += instance.rect->outerRect().width();
        const QMargins a = first->margins();
        const QMargins b = m_instances[1].rect->margins();
        const double extra = (a.left() + a.right()) - (b.left() + b.right());
        const double other = std::max(10.0, (total - extra) / columns);
        m_grid->setColumnStretchFactor(0, (other + extra) / other);
    }
    // Centre the first title over its bars, not over bars plus feature axis.
    m_instances.front().titleElement->setMargins(QMargins(2 + first->margins().left() - 5, 4, 2, 4));
    // Fewer x tick labels on narrow panels.
    const double step = (innerWidth >= 110 ? 0.5 : 1.0) * std::max(1.0, std::floor(m_upper / 2.0));
    for (const Instance& instance : m_instances) {
        auto ticker = instance.rect->axis(QCPAxis::atBottom)->ticker().dynamicCast<QCPAxisTickerFixed>();
        if (ticker)
            ticker->setTickStep(step);
    }
    fitColumnTitles();
    QCustomPlot::updateLayout();
}

namespace {
constexpr int kFeatureAxisAndColourBar = 190; // the feature axis of the first column and the colour scale, in pixels
// A column title's words for wrapping; "1−S =" is kept as one (a line never starts with "=").
QStringList titleWords(const QString& title)
{
    QStringList words;
    for (const QString& word : title.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (word == QLatin1String("=") && !words.isEmpty())
            words.back() += QStringLiteral(" =");
        else
            words << word;
    }
    return words;
}

// The short form of a column title too narrow to wrap ("1−S = 0.0158" -> "0.016", "1−S = 1 (dense)" -> "1"): the
// value after "=" to `digits` significant digits; the first column keeps "1−S" above it so the figure still says what
// the numbers are. Titles without such a value are returned as they are.
QString compactTitle(const QString& title, bool first, int digits)
{
    const int equals = int(title.indexOf(QLatin1Char('=')));
    if (equals < 0)
        return title;
    const QStringList after = title.mid(equals + 1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    bool ok = false;
    const double value = after.isEmpty() ? 0.0 : after.front().toDouble(&ok);
    if (!ok)
        return title;
    const QString name = title.left(equals).trimmed();
    const QString number = QString::number(value, 'g', digits);
    return first && !name.isEmpty() ? name + QLatin1Char('\n') + number : number;
}
} // namespace

QSize NormBarsPlot::minimumSizeHint() const
{
    int column = 60;
    for (const Instance& instance : m_instances)
        if (instance.titleElement) {
            // As fitColumnTitles breaks it: at its spaces, down to one word a line ("1−S =" stays together).
            const QFontMetrics metrics(instance.titleElement->font());
            for (const QString& word : titleWords(instance.title))
                column = std::max(column, metrics.horizontalAdvance(word) + 16);
        }
    return QSize(int(m_instances.size()) * column + kFeatureAxisAndColourBar, 300).expandedTo(minimumSize());
}

// A title wider than its column ("1−S = 0.0158" over a narrow panel) breaks after "=" onto two lines; where a word
// still does not fit, the column shows its value alone (compactTitle), elided only if even that is too wide, so it is
// never cut on both sides by its neighbours.
void NormBarsPlot::fitColumnTitles()
{
    for (Instance& instance : m_instances) {
        if (!instance.titleElement || !instance.rect)
            continue;
        const QFontMetrics metrics(instance.titleElement->font());
        // The column's share of the plot, too: a layout that could not fit unwrapped titles widened the columns to
        // them, and measuring those alone would keep the titles whole and the plot below its minimum.
        const int share = (viewport().width() - kFeatureAxisAndColourBar) / std::max(1, int(m_instances.size())) - 4;
        const int room = std::max(20, std::min(instance.rect->outerRect().width() - 4, share));
        QString text = instance.title;
        const bool first = &instance == &m_instances.front();
        if (metrics.horizontalAdvance(text) > room) {
            // Greedy word wrap: as many words a line as fit; only a single word wider than the column is elided.
            QStringList lines;
            for (const QString& word : titleWords(text)) {
                const QString joined = lines.isEmpty() ? word : lines.back() + QLatin1Char(' ') + word;
                if (!lines.isEmpty() && metrics.horizontalAdvance(joined) <= room)
                    lines.back() = joined;
                else
                    lines << word;
            }
            bool fits = true;
            for (const QString& line : lines)
                fits = fits && metrics.horizontalAdvance(line) <= room;
            // Words cut to "1…" say nothing: a column too narrow for them shows its value alone instead.
            // Shorter and shorter: two digits, one digit, and for the first column without "1−S" above.
            for (int attempt = 0; !fits && attempt < 4; ++attempt) {
                const bool named = first && attempt < 2;
                lines = compactTitle(instance.title, named, attempt % 2 == 0 ? 2 : 1).split(QLatin1Char('\n'));
                fits = true;
                for (const QString& line : lines)
                    fits = fits && metrics.horizontalAdvance(line) <= room;
            }
            for (QString& line : lines)
                line = metrics.elidedText(line, Qt::ElideRight, room);
            text = lines.join(QLatin1Char('\n'));
        }
        const QString shown = instance.titleElement->text();
        if (shown != instance.title && shown != instance.fittedTitle)
            continue; // the user's own text (export dialog): left as written
        instance.fittedTitle = text;
        if (shown != text)
            instance.titleElement->setText(text);
    }
}

QString NormBarsPlot::shownColumnTitle(int k) const
{
    if (k < 0 || k >= int(m_instances.size()) || !m_instances[std::size_t(k)].titleElement)
        return QString();
    return m_instances[std::size_t(k)].titleElement->text();
}

void NormBarsPlot::setSelectedFeature(int feature)
{
    if (feature == m_selected)
        return;
    m_selected = feature;
    applySelection();
    replot(rpQueuedReplot);
}

void NormBarsPlot::applySelection()
{
    for (Instance& instance : m_instances) {
        const bool visible = m_selected >= 0 && m_selected < instance.n;
        instance.band->setVisible(visible);
        instance.outline->setVisible(visible);
        if (!visible)
            continue;
        const double s = m_selected;
        instance.band->topLeft->setCoords(0.0, s - 0.5);
        instance.band->bottomRight->setCoords(1.0, s + 0.5);
        const double half = instance.n > 60 ? 0.5 : 0.39;
        instance.outline->topLeft->setCoords(0.0, s - half);
        instance.outline->bottomRight->setCoords(std::max(0.0, double(instance.norms[m_selected])), s + half);
        instance.outline->setPen(QPen(FeaturePalette::featureColor(m_selected), 3.0));
    }
}

QCPAxisRect* NormBarsPlot::instanceRect(int instance) const
{
    return instance >= 0 && instance < instanceCount() ? m_instances[std::size_t(instance)].rect : nullptr;
}

QCPItemRect* NormBarsPlot::selectionOutline(int instance) const
{
    return instance >= 0 && instance < instanceCount() ? m_instances[std::size_t(instance)].outline : nullptr;
}

double NormBarsPlot::norm(int instance, int feature) const
{
    if (instance < 0 || instance >= instanceCount())
        return kNaN;
    const Instance& in = m_instances[std::size_t(instance)];
    return feature >= 0 && feature < in.n ? double(in.norms[feature]) : kNaN;
}

double NormBarsPlot::colourValue(int instance, int feature) const
{
    if (instance < 0 || instance >= instanceCount())
        return kNaN;
    const Instance& in = m_instances[std::size_t(instance)];
    return feature >= 0 && feature < in.n ? double(in.colour[feature]) : kNaN;
}

QPointF NormBarsPlot::barPixel(int instance, int feature) const
{
    const double value = norm(instance, feature);
    if (std::isnan(value))
        return {kNaN, kNaN};
    const QCPAxisRect* rect = m_instances[std::size_t(instance)].rect;
    return {rect->axis(QCPAxis::atBottom)->coordToPixel(value / 2.0), rect->axis(QCPAxis::atLeft)->coordToPixel(feature)};
}

int NormBarsPlot::featureAt(const QPointF& pos, int* instanceOut) const
{
    if (instanceOut)
        *instanceOut = -1;
    for (int k = 0; k < instanceCount(); ++k) {
        const Instance& in = m_instances[std::size_t(k)];
        if (!in.rect->rect().contains(pos.toPoint()))
            continue;
        const int feature = int(std::lround(in.rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        if (feature < 0 || feature >= in.n)
            return -1;
        if (instanceOut)
            *instanceOut = k;
        return feature;
    }
    return -1;
}

QString NormBarsPlot::hoverText(const QPointF& pos) const
{
    int k = -1;
    const int i = featureAt(pos, &k);
    if (i < 0)
        return QString();
    const Instance& in = m_instances[std::size_t(k)];
    return QStringLiteral("%1\nfeature %2: \u2016W\u2016 = %3\nsuperposition = %4 (colour %5)\nD = %6")
        .arg(in.title)
        .arg(i)
        .arg(in.norms[i], 0, 'f', 3)
        .arg(in.superposition[i], 0, 'f', 3)
        .arg(in.colour[i], 0, 'f', 2)
        .arg(in.dimensionality[i], 0, 'f', 3);
}

void NormBarsPlot::plotClicked(const QPointF& pos)
{
    int instance = -1;
    const int feature = featureAt(pos, &instance);
    if (feature >= 0) {
        Q_EMIT featureClicked(feature);
        Q_EMIT barClicked(instance, feature);
    } else
        Q_EMIT backgroundClicked();
}
