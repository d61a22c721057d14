#include "plots/FeatureDimensionalityPlot.h"

#include "plots/ColorMaps.h"
#include "plots/FeaturePalette.h"

#include <QFontMetrics>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kStripWidth = 0.8; // of the unit spacing between strips; the rest separates them
constexpr float kLearnedNorm = 0.1f; // as the arrows and norm bars: shorter columns are "not learned"

// A regular polygon of `corners` corners (first corner up, or down when `inverted`) in the 6-unit box that
// QCPScatterStyle scales a custom path from.
QPainterPath polygonPath(int corners, bool inverted = false)
{
    QPainterPath path;
    for (int c = 0; c < corners; ++c) {
        const double angle = (inverted ? 0.5 : -0.5) * std::numbers::pi + 2.0 * std::numbers::pi * c / corners;
        const QPointF p(3.4 * std::cos(angle), 3.4 * std::sin(angle));
        if (c == 0)
            path.moveTo(p);
        else
            path.lineTo(p);
    }
    path.closeSubpath();
    return path;
}

struct GlyphKind {
    const char* kind;
    const char* legend;
    ColorMaps::OkabeIto colour;
};

// Legend order = reading order of the fractions, top to bottom.
constexpr GlyphKind kKinds[] = {
    {"dedicated", "dedicated (1)", ColorMaps::OkabeIto::Blue},
    {"tetrahedron", "tetrahedron (3/4)", ColorMaps::OkabeIto::Orange},
    {"triangle", "triangle (2/3)", ColorMaps::OkabeIto::BluishGreen},
    {"digon", "digon (1/2)", ColorMaps::OkabeIto::Vermillion},
    {"square", "square (1/2)", ColorMaps::OkabeIto::ReddishPurple},
    {"pentagon", "pentagon (2/5)", ColorMaps::OkabeIto::SkyBlue},
    {"square antiprism", "square antiprism (3/8)", ColorMaps::OkabeIto::Yellow},
    {"other", "other", ColorMaps::OkabeIto::Black},
    {"not learned", "not learned (drawn at 0)", ColorMaps::OkabeIto::Black},
};

QCPScatterStyle glyphStyle(const QString& kind, int alpha)
{
    QColor colour = ColorMaps::okabeIto(ColorMaps::OkabeIto::Black);
    for (const GlyphKind& k : kKinds)
        if (kind == QLatin1String(k.kind))
            colour = ColorMaps::okabeIto(k.colour);
    if (kind == QLatin1String("square antiprism"))
        colour = colour.darker(125); // Okabe-Ito's yellow is too light on white without it
    const QColor outline = colour.darker(140);
    colour.setAlpha(alpha);
    QColor edge = outline;
    edge.setAlpha(std::min(255, alpha + 40));
    const QPen pen(edge, 1.0);
    if (kind == QLatin1String("dedicated"))
        return QCPScatterStyle(QCPScatterStyle::ssDisc, pen, colour, 8);
    if (kind == QLatin1String("digon")) { // two opposite points: a narrow diamond
        QPainterPath path;
        path.moveTo(0, -3.6);
        path.lineTo(1.5, 0);
        path.lineTo(0, 3.6);
        path.lineTo(-1.5, 0);
        path.closeSubpath();
        return QCPScatterStyle(path, pen, colour, 9);
    }
    if (kind == QLatin1String("triangle"))
        return QCPScatterStyle(polygonPath(3), pen, colour, 9);
    if (kind == QLatin1String("tetrahedron"))
        return QCPScatterStyle(polygonPath(3, true), pen, colour, 9);
    if (kind == QLatin1String("square"))
        return QCPScatterStyle(polygonPath(4), pen, colour, 9);
    if (kind == QLatin1String("pentagon"))
        return QCPScatterStyle(polygonPath(5), pen, colour, 9);
    if (kind == QLatin1String("square antiprism"))
        return QCPScatterStyle(polygonPath(8), pen, colour, 9);
    if (kind == QLatin1String("not learned")) {
        QColor grey = FeaturePalette::droppedColor();
        grey.setAlpha(alpha);
        return QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(grey, 1.0), grey, 4);
    }
    return QCPScatterStyle(QCPScatterStyle::ssCross, QPen(edge, 1.4), Qt::NoBrush, 7);
}

struct Reference {
    double value;
    const char* label;
};
constexpr Reference kReferences[] = {{1.0, "1"},   {0.75, "3/4"},  {2.0 / 3.0, "2/3"}, {0.5, "1/2"},
                                     {0.4, "2/5"}, {0.375, "3/8"}, {1.0 / 3.0, "1/3"}};

} // namespace

QVector<double> FeatureDimensionalityPlot::referenceFractions()
{
    QVector<double> values;
    for (const Reference& r : kReferences)
        values.append(r.value);
    return values;
}

QString FeatureDimensionalityPlot::glyphKind(const std::string& componentKind)
{
    const QString kind = QString::fromStdString(componentKind);
    for (const GlyphKind& k : kKinds)
        if (kind == QLatin1String(k.kind))
            return kind;
    return QStringLiteral("other");
}

FeatureDimensionalityPlot::FeatureDimensionalityPlot(QWidget* parent) : InteractivePlot(parent)
{
    setMinimumSize(240, 200);
    m_title = addTitle(QStringLiteral("Feature dimensionality D\u1d62 of every feature, by instance"));
    legendBelow();
    plotLayout()->setRowSpacing(2);
    legend->setVisible(true);
    legend->setColumnSpacing(18);

    FeaturePalette::styleAxis(yAxis, QStringLiteral("dimensionality D\u1d62"));
    FeaturePalette::styleAxis(xAxis, QString());
    setStripAxisLabel(QStringLiteral("instance   (in each strip \u2016W\u1d62\u2016 grows to the right; dotted: \u2016W\u1d62\u2016 = 1)"));
    xAxis->grid()->setVisible(false);
    xAxis->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
    yAxis->setRange(-0.04, 1.08);
    QSharedPointer<QCPAxisTickerFixed> yTicker(new QCPAxisTickerFixed);
    yTicker->setTickStep(0.2);
    yAxis->setTicker(yTicker);
    axisRect()->setAutoMargins(QCP::msLeft | QCP::msTop | QCP::msBottom);

    for (const Reference& r : kReferences)
        m_references.add(this, r.value, QString::fromLatin1(r.label), textFont());
    for (const GlyphKind& k : kKinds) {
        QCPGraph* graph = addGraph();
        graph->setName(QString::fromLatin1(k.legend));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setSelectable(QCP::stNone);
        graph->setScatterStyle(glyphStyle(QString::fromLatin1(k.kind), 230));
        graph->removeFromLegend();
        m_glyphs[QString::fromLatin1(k.kind)] = graph;
    }
    m_glyphs[QStringLiteral("not learned")]->setLayer(QStringLiteral("grid")); // under the learned glyphs
    m_selection = addGraph();
    m_selection->removeFromLegend();
    m_selection->setSelectable(QCP::stNone);
    m_selection->setLayer(QStringLiteral("overlay"));
    m_selection->setLineStyle(QCPGraph::lsLine);
    m_selection->setPen(QPen(FeaturePalette::selectionColor(), 1.0, Qt::DotLine));
    m_selection->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(FeaturePalette::selectionColor(), 2.0), Qt::NoBrush, 15));
    m_emptyText = addEmptyText(QStringLiteral("Train a model to see each feature's dimensionality"));
    xAxis->setRange(-0.6, 0.6);
}

void FeatureDimensionalityPlot::setStripAxisLabel(const QString& label) { xAxis->setLabel(label); }

void FeatureDimensionalityPlot::clear() { setInstances({}, {}, {}); }

void FeatureDimensionalityPlot::setInstances(const std::vector<featurescope::FeatureMeasures>& measures,
                                             const std::vector<std::vector<featurescope::GeometryComponent>>& geometry,
                                             const QStringList& stripLabels)
{
    m_points.clear();
    m_stripLabels = stripLabels;
    double top = 1.0;
    for (const auto& m : measures)
        for (Eigen::Index i = 0; i < m.norms.size(); ++i)
            if (std::isfinite(m.norms[i]))
                top = std::max(top, double(m.norms[i]));
    m_normTop = top * 1.02;
    for (std::size_t k = 0; k < measures.size(); ++k) {
        const auto& m = measures[k];
        std::vector<QString> kinds(std::size_t(m.norms.size()), QStringLiteral("other"));
        if (k < geometry.size())
            for (const auto& component : geometry[k])
                for (int f : component.features)
                    if (f >= 0 && f < int(kinds.size()))
                        kinds[std::size_t(f)] = glyphKind(component.kind);
        for (Eigen::Index i = 0; i < m.norms.size(); ++i) {
            Point p;
            p.instance = int(k);
            p.feature = int(i);
            p.norm = std::isfinite(m.norms[i]) ? m.norms[i] : 0.0;
            // The geometry's own "not learned" (a relative threshold) counts too, so both views agree.
            const bool learned = p.norm >= kLearnedNorm && kinds[std::size_t(i)] != QLatin1String("not learned");
            p.kind = learned ? kinds[std::size_t(i)] : QStringLiteral("not learned");
            p.d = learned && i < m.dimensionality.size() && std::isfinite(m.dimensionality[i]) ? m.dimensionality[i] : 0.0;
            p.x = double(k) + kStripWidth * (std::clamp(p.norm / m_normTop, 0.0, 1.0) - 0.5);
            m_points.push_back(p);
        }
    }
    rebuild();
    replot(rpQueuedReplot);
}

void FeatureDimensionalityPlot::rebuild()
{
    const int strips = int(m_stripLabels.size());
    // Thousands of glyphs (n = 400) read as densities when translucent; a few dozen stay solid.
    const int alpha = m_points.size() > 400 ? 110 : 230;
    std::map<QString, std::pair<QVector<double>, QVector<double>>> data;
    for (const Point& p : m_points) {
        data[p.kind].first.append(p.x);
        data[p.kind].second.append(p.d);
    }
    for (auto& [kind, graph] : m_glyphs) {
        const auto found = data.find(kind);
        const bool any = found != data.end();
        graph->setData(any ? found->second.first : QVector<double>(), any ? found->second.second : QVector<double>());
        graph->setScatterStyle(glyphStyle(kind, alpha));
        if (any)
            graph->addToLegend();
        else
            graph->removeFromLegend();
    }
    // Keep the legend in the kinds' reading order.
    legend->clearItems();
    for (const GlyphKind& k : kKinds)
        if (data.count(QString::fromLatin1(k.kind)))
            legend->addItem(new QCPPlottableLegendItem(legend, m_glyphs[QString::fromLatin1(k.kind)]));
    legend->setWrap(std::max(1, std::min(4, legend->itemCount())));

    auto ticker = xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    ticker->clear();
    for (int k = 0; k < strips; ++k)
        ticker->addTick(k, m_stripLabels[k]);
    for (QCPItemLine* line : m_stripSeparators)
        removeItem(line);
    m_stripSeparators.clear();
    auto addVertical = [this](double x, double from, double to, const QPen& pen) {
        auto* line = new QCPItemLine(this);
        line->start->setTypeY(QCPItemPosition::ptAxisRectRatio);
        line->end->setTypeY(QCPItemPosition::ptAxisRectRatio);
        line->start->setCoords(x, from);
        line->end->setCoords(x, to);
        line->setPen(pen);
        line->setSelectable(false);
        line->setLayer(QStringLiteral("grid"));
        m_stripSeparators.push_back(line);
    };
    for (int k = 0; k < strips; ++k) {
        if (k + 1 < strips)
            addVertical(k + 0.5, 0.0, 1.0, QPen(QColor(210, 210, 210), 1.0));
        // Where a unit-norm feature sits in the strip.
        addVertical(k + kStripWidth * (1.0 / m_normTop - 0.5), 0.0, 1.0, QPen(QColor(200, 200, 200), 1.0, Qt::DotLine));
    }
    xAxis->setRange(-0.55, std::max(0, strips - 1) + 0.55);
    m_emptyText->setVisible(m_points.empty());
    applySelection();
}

void FeatureDimensionalityPlot::setSelectedFeature(int feature)
{
    if (feature == m_selected)
        return;
    m_selected = feature;
    applySelection();
    replot(rpQueuedReplot);
}

void FeatureDimensionalityPlot::applySelection()
{
    QVector<double> xs, ys;
    for (const Point& p : m_points)
        if (m_selected >= 0 && p.feature == m_selected) {
            xs.append(p.x);
            ys.append(p.d);
        }
    m_selection->setData(xs, ys);
}

QCPGraph* FeatureDimensionalityPlot::glyphGraph(const QString& kind) const
{
    const auto found = m_glyphs.find(kind);
    return found == m_glyphs.end() ? nullptr : found->second;
}

QPointF FeatureDimensionalityPlot::glyphCoordinates(int instance, int feature) const
{
    for (const Point& p : m_points)
        if (p.instance == instance && p.feature == feature)
            return {p.x, p.d};
    return {kNaN, kNaN};
}

QPointF FeatureDimensionalityPlot::glyphPixel(int instance, int feature) const
{
    const QPointF c = glyphCoordinates(instance, feature);
    if (std::isnan(c.x()))
        return c;
    return {xAxis->coordToPixel(c.x()), yAxis->coordToPixel(c.y())};
}

std::vector<int> FeatureDimensionalityPlot::featuresAt(const QPointF& pos, int* instanceOut, double radius) const
{
    if (instanceOut)
        *instanceOut = -1;
    if (!axisRect()->rect().adjusted(-4, -4, 4, 4).contains(pos.toPoint()))
        return {};
    std::vector<std::pair<double, const Point*>> near;
    for (const Point& p : m_points) {
        double d = std::hypot(xAxis->coordToPixel(p.x) - pos.x(), yAxis->coordToPixel(p.d) - pos.y());
        if (p.feature == m_selected)
            d -= 1.0; // the selected feature wins ties, so a click on it keeps it
        if (d <= radius)
            near.emplace_back(d, &p);
    }
    if (near.empty())
        return {};
    std::stable_sort(near.begin(), near.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const int instance = near.front().second->instance;
    std::vector<int> features;
    for (const auto& [distance, p] : near)
        if (p->instance == instance)
            features.push_back(p->feature);
    if (instanceOut)
        *instanceOut = instance;
    return features;
}

QString FeatureDimensionalityPlot::hoverText(const QPointF& pos) const
{
    int instance = -1;
    const std::vector<int> features = featuresAt(pos, &instance);
    if (features.empty())
        return QString();
    const QString strip = instance < m_stripLabels.size() ? m_stripLabels[instance] : QString::number(instance);
    auto pointOf = [&](int feature) -> const Point* {
        for (const Point& p : m_points)
            if (p.instance == instance && p.feature == feature)
                return &p;
        return nullptr;
    };
    if (features.size() == 1) {
        const Point* p = pointOf(features.front());
        return QStringLiteral("feature %1 (instance %2)\n\u2016W\u2016 = %3, D = %4\n%5")
            .arg(p->feature)
            .arg(strip)
            .arg(p->norm, 0, 'f', 3)
            .arg(p->d, 0, 'f', 3)
            .arg(p->kind);
    }
    // Glyphs on the same spot: one list instead of a pile.
    std::vector<int> sorted = features;
    std::sort(sorted.begin(), sorted.end());
    QStringList names;
    constexpr int kListed = 16;
    for (std::size_t j = 0; j < sorted.size() && j < std::size_t(kListed); ++j)
        names << QString::number(sorted[j]);
    if (sorted.size() > std::size_t(kListed))
        names << QStringLiteral("+%1 more").arg(sorted.size() - kListed);
    double dLo = 1e9, dHi = -1e9, nLo = 1e9, nHi = -1e9;
    QStringList kinds;
    for (int f : features) {
        const Point* p = pointOf(f);
        dLo = std::min(dLo, p->d);
        dHi = std::max(dHi, p->d);
        nLo = std::min(nLo, p->norm);
        nHi = std::max(nHi, p->norm);
        if (!kinds.contains(p->kind))
            kinds << p->kind;
    }
    return QStringLiteral("%1 features here (instance %2): %3\n\u2016W\u2016 = %4\u2013%5, D = %6\u2013%7\n%8")
        .arg(features.size())
        .arg(strip)
        .arg(names.join(QStringLiteral(", ")))
        .arg(nLo, 0, 'f', 3)
        .arg(nHi, 0, 'f', 3)
        .arg(dLo, 0, 'f', 3)
        .arg(dHi, 0, 'f', 3)
        .arg(kinds.join(QStringLiteral(", ")));
}

std::vector<FeatureDimensionalityPlot::Row> FeatureDimensionalityPlot::rows() const
{
    std::vector<Row> out;
    for (const Point& p : m_points)
        out.push_back({p.instance, p.instance < m_stripLabels.size() ? m_stripLabels[p.instance] : QString(), p.feature,
                       p.norm, p.d, p.kind});
    return out;
}

void FeatureDimensionalityPlot::plotClicked(const QPointF& pos)
{
    int instance = -1;
    const std::vector<int> features = featuresAt(pos, &instance);
    if (features.empty())
        Q_EMIT backgroundClicked();
    else
        Q_EMIT featureClicked(instance, features.front());
}

void FeatureDimensionalityPlot::updateLayout()
{
    m_references.applyMargin(axisRect());
    // Strip labels that do not fit side by side are turned, so neighbours never run into each other.
    if (!m_stripLabels.isEmpty()) {
        const QFontMetrics metrics(xAxis->tickLabelFont());
        int widest = 0;
        for (const QString& label : std::as_const(m_stripLabels))
            widest = std::max(widest, metrics.horizontalAdvance(label));
        const double stripPixels = double(std::max(1, viewport().width() - 120)) / m_stripLabels.size();
        const double rotation = widest + 10 > stripPixels ? -40.0 : 0.0;
        if (xAxis->tickLabelRotation() != rotation)
            xAxis->setTickLabelRotation(rotation);
    }
    QCustomPlot::updateLayout();
    // 2/5, 3/8 and 1/3 lie close together: spread their labels to one line height apart, keeping the order.
    std::vector<double> pixels;
    for (const Reference& r : kReferences)
        pixels.push_back(yAxis->coordToPixel(r.value));
    const auto& labels = m_references.labels();
    const double gap = QFontMetrics(labels.front()->font()).height() * 0.95;
    for (std::size_t i = 1; i < pixels.size(); ++i) // values descend, pixels ascend
        pixels[i] = std::max(pixels[i], pixels[i - 1] + gap);
    for (std::size_t i = 0; i < pixels.size(); ++i)
        labels[i]->position->setCoords(1.0, yAxis->pixelToCoord(pixels[i]));
}
