#include "FeatureSplittingPlot.h"

#include "plots/ColorMaps.h"
#include "plots/FeaturePalette.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace {

constexpr int kColourBins = 6; // edges are drawn in this many cosine bands, each one curve
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

double rowY(int width) { return -double(width); }

} // namespace

FeatureSplittingPlot::FeatureSplittingPlot(QWidget* parent) : InteractivePlot(parent)
{
    setMinimumSize(360, 260);
    m_title = addTitle(tr("Feature splitting across SAE widths"));
    FeaturePalette::styleAxis(xAxis);
    FeaturePalette::styleAxis(yAxis);
    xAxis->setTicks(false);
    xAxis->setTickLabels(false);
    xAxis->setBasePen(Qt::NoPen);
    xAxis->grid()->setVisible(false);
    yAxis->grid()->setVisible(false);
    yAxis->setBasePen(Qt::NoPen);
    yAxis->setTickPen(Qt::NoPen);
    xAxis->setRange(-0.02, 1.02);
    yAxis->setRange(-3.4, 0.4);

    m_scale = new QCPColorScale(this);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setGradient(ColorMaps::sequentialGradient());
    m_scale->setDataRange(QCPRange(0.0, 1.0));
    m_scale->setBarWidth(12);
    FeaturePalette::styleAxis(m_scale->axis(), tr("decoder cosine to parent"));
    plotLayout()->addElement(1, 1, m_scale);
    auto* group = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_empty = addEmptyText(tr("Train the widths to see features split"));
}

void FeatureSplittingPlot::clear(const QString& emptyText)
{
    m_result = {};
    m_x.clear();
    m_selectedWidth = m_selectedLatent = -1;
    m_empty->setText(emptyText);
    redraw();
}

void FeatureSplittingPlot::setResult(const featurescope::SaeSplittingResult& result)
{
    m_result = result;
    layoutNodes();
    const int root = m_result.mostSplitRoot();
    m_selectedWidth = root >= 0 ? 0 : -1;
    m_selectedLatent = root;
    redraw();
}

void FeatureSplittingPlot::layoutNodes()
{
    // Row 0 in index order; every further row sorted by its parent's x (then by falling cosine), orphans last.
    m_x.assign(m_result.widths.size(), {});
    for (std::size_t w = 0; w < m_result.widths.size(); ++w) {
        const auto& width = m_result.widths[w];
        std::vector<int> order;
        for (int j = 0; j < width.latents; ++j)
            if (width.alive(j))
                order.push_back(j);
        if (w > 0) {
            const auto& above = m_x[w - 1];
            auto key = [&](int j) {
                const int p = width.parent[std::size_t(j)];
                return p >= 0 && std::isfinite(above[std::size_t(p)]) ? above[std::size_t(p)] : 2.0;
            };
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
                const double ka = key(a), kb = key(b);
                return ka != kb ? ka < kb : width.parentCosine[std::size_t(a)] > width.parentCosine[std::size_t(b)];
            });
        }
        m_x[w].assign(std::size_t(width.latents), kNan);
        for (std::size_t r = 0; r < order.size(); ++r)
            m_x[w][std::size_t(order[r])] = (double(r) + 0.5) / double(order.size());
    }
}

QPointF FeatureSplittingPlot::nodePosition(int width, int latent) const
{
    if (width < 0 || width >= int(m_x.size()) || latent < 0 || latent >= int(m_x[std::size_t(width)].size()))
        return {kNan, kNan};
    return {m_x[std::size_t(width)][std::size_t(latent)], rowY(width)};
}

void FeatureSplittingPlot::setSelected(int width, int latent)
{
    m_selectedWidth = width;
    m_selectedLatent = latent;
    redraw();
}

void FeatureSplittingPlot::setZoomToFamily(bool zoom)
{
    m_zoom = zoom;
    redraw();
}

void FeatureSplittingPlot::redraw()
{
    clearPlottables();
    m_edgeCount = m_familyEdgeCount = 0;
    const int widths = int(m_result.widths.size());
    m_empty->setVisible(widths == 0);
    // The highlighted family: descendants of the chosen latent, plus its ancestors.
    std::vector<std::vector<int>> family = m_result.family(m_selectedWidth, m_selectedLatent);
    for (int w = m_selectedWidth, l = m_selectedLatent; w > 0 && l >= 0; --w) {
        l = m_result.widths[std::size_t(w)].parent[std::size_t(l)];
        if (l >= 0)
            family[std::size_t(w - 1)].push_back(l);
    }
    auto inFamily = [&](int w, int j) {
        const auto& members = family[std::size_t(w)];
        return std::find(members.begin(), members.end(), j) != members.end();
    };
    // Edges: one curve per cosine band (gaps by NaN), faint; the family's edges bold on top.
    std::vector<QVector<QCPCurveData>> bands(kColourBins), familyBands(kColourBins);
    double t = 0.0;
    for (int w = 1; w < widths; ++w) {
        const auto& width = m_result.widths[std::size_t(w)];
        for (int j = 0; j < width.latents; ++j) {
            const int p = width.parent[std::size_t(j)];
            const QPointF child = nodePosition(w, j), parent = nodePosition(w - 1, p);
            if (p < 0 || !std::isfinite(child.x()) || !std::isfinite(parent.x()))
                continue;
            const int bin = std::clamp(int(width.parentCosine[std::size_t(j)] * kColourBins), 0, kColourBins - 1);
            const bool bold = inFamily(w, j) && inFamily(w - 1, p);
            auto& band = bold ? familyBands[std::size_t(bin)] : bands[std::size_t(bin)];
            band << QCPCurveData(t, parent.x(), parent.y()) << QCPCurveData(t + 1, child.x(), child.y())
                 << QCPCurveData(t + 2, kNan, kNan);
            t += 3;
            ++m_edgeCount;
            m_familyEdgeCount += bold ? 1 : 0;
        }
    }
    auto addBands = [&](const std::vector<QVector<QCPCurveData>>& data, bool bold) {
        for (int b = 0; b < kColourBins; ++b) {
            if (data[std::size_t(b)].isEmpty())
                continue;
            QColor color = ColorMaps::sequential((b + 0.5) / kColourBins);
            if (!bold)
                color.setAlpha(110);
            auto* curve = new QCPCurve(xAxis, yAxis);
            curve->data()->set(data[std::size_t(b)], true);
            curve->setPen(QPen(color, bold ? 3.2 : 1.0));
            curve->removeFromLegend();
        }
    };
    addBands(bands, false);
    addBands(familyBands, true);
    // Nodes: grey, the family's in the selection colour and larger.
    QVector<QCPCurveData> nodes, familyNodes;
    t = 0.0;
    for (int w = 0; w < widths; ++w)
        for (int j = 0; j < m_result.widths[std::size_t(w)].latents; ++j) {
            const QPointF at = nodePosition(w, j);
            if (std::isfinite(at.x()))
                (inFamily(w, j) ? familyNodes : nodes) << QCPCurveData(t++, at.x(), at.y());
        }
    for (const auto* data : {&nodes, &familyNodes}) {
        const bool bold = data == &familyNodes;
        auto* dots = new QCPCurve(xAxis, yAxis);
        dots->data()->set(*data, true);
        dots->setLineStyle(QCPCurve::lsNone);
        const QColor color = bold ? FeaturePalette::selectionColor() : QColor(110, 110, 110);
        dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, bold ? 8 : 4));
        dots->removeFromLegend();
    }
    // Rows named by width, with how many latents are alive.
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int w = 0; w < widths; ++w) {
        const auto& width = m_result.widths[std::size_t(w)];
        ticker->addTick(rowY(w), tr("%1× · %2").arg(width.multiplier).arg(width.aliveCount()));
    }
    yAxis->setTicker(ticker);
    yAxis->setLabel(widths ? tr("width · live latents") : QString());
    yAxis->setRange(rowY(std::max(widths, 1) - 1) - 0.35, 0.35);
    // The x range: everything, or the family's extent with a little room.
    double lo = 0.0, hi = 1.0;
    if (m_zoom && m_selectedLatent >= 0) {
        lo = 1.0;
        hi = 0.0;
        for (int w = 0; w < widths; ++w)
            for (int j : family[std::size_t(w)]) {
                const double x = nodePosition(w, j).x();
                if (std::isfinite(x)) {
                    lo = std::min(lo, x);
                    hi = std::max(hi, x);
                }
            }
        if (lo > hi)
            lo = 0.0, hi = 1.0;
    }
    const double pad = std::max(0.02, 0.06 * (hi - lo));
    xAxis->setRange(lo - pad, hi + pad);
    // Title: the chosen latent and how its family grows.
    if (m_selectedLatent >= 0 && m_selectedWidth >= 0 && m_selectedWidth < widths) {
        QStringList growth;
        for (int w = m_selectedWidth + 1; w < widths; ++w)
            growth << tr("%1 at %2×").arg(family[std::size_t(w)].size()).arg(m_result.widths[std::size_t(w)].multiplier);
        m_title->setText(growth.isEmpty()
                             ? tr("Latent %1 of the %2× SAE").arg(m_selectedLatent).arg(m_result.widths[std::size_t(m_selectedWidth)].multiplier)
                             : tr("Latent %1 of the %2× SAE splits into %3")
                                   .arg(m_selectedLatent)
                                   .arg(m_result.widths[std::size_t(m_selectedWidth)].multiplier)
                                   .arg(growth.join(QStringLiteral(", "))));
    } else {
        m_title->setText(tr("Feature splitting across SAE widths"));
    }
    replot(rpQueuedReplot);
}

std::pair<int, int> FeatureSplittingPlot::nodeAt(const QPointF& pos) const
{
    std::pair<int, int> best{-1, -1};
    double bestDistance = 9.0; // px
    for (int w = 0; w < int(m_x.size()); ++w) {
        if (std::abs(yAxis->coordToPixel(rowY(w)) - pos.y()) > bestDistance)
            continue;
        for (int j = 0; j < int(m_x[std::size_t(w)].size()); ++j) {
            const double x = m_x[std::size_t(w)][std::size_t(j)];
            if (!std::isfinite(x))
                continue;
            const double d = std::hypot(xAxis->coordToPixel(x) - pos.x(), yAxis->coordToPixel(rowY(w)) - pos.y());
            if (d < bestDistance) {
                bestDistance = d;
                best = {w, j};
            }
        }
    }
    return best;
}

QString FeatureSplittingPlot::hoverText(const QPointF& pos) const
{
    const auto [w, j] = nodeAt(pos);
    if (w < 0)
        return {};
    const auto& width = m_result.widths[std::size_t(w)];
    QString text = tr("%1× SAE, latent %2: density %3").arg(width.multiplier).arg(j).arg(width.density[std::size_t(j)], 0, 'g', 3);
    if (const int p = width.parent[std::size_t(j)]; p >= 0)
        text += tr("\nparent: latent %1 of the %2× SAE (decoder cosine %3)")
                    .arg(p)
                    .arg(m_result.widths[std::size_t(w - 1)].multiplier)
                    .arg(width.parentCosine[std::size_t(j)], 0, 'f', 3);
    const auto children = m_result.children(w, j);
    if (!children.empty())
        text += tr("\n%n child(ren) in the next wider SAE", nullptr, int(children.size()));
    if (const int t = width.bestTrue[std::size_t(j)]; t >= 0)
        text += tr("\nclosest true feature %1 (cosine %2)").arg(t).arg(width.bestTrueCosine[std::size_t(j)], 0, 'f', 3);
    return text + tr("\nclick to highlight its family");
}

void FeatureSplittingPlot::plotClicked(const QPointF& pos)
{
    const auto [w, j] = nodeAt(pos);
    if (w < 0)
        return;
    setSelected(w, j);
    Q_EMIT latentClicked(w, j);
}
