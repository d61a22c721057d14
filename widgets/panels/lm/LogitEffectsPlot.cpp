#include "LogitEffectsPlot.h"

#include "LmDashboardData.h"
#include "plots/FeaturePalette.h"

#include <algorithm>
#include <cmath>

LogitEffectsPlot::LogitEffectsPlot(QWidget* parent) : InteractivePlot(parent)
{
    setMinimumSize(240, 160);
    addTitle(tr("Direct logit effects"));
    FeaturePalette::styleAxis(xAxis);
    FeaturePalette::styleAxis(yAxis, tr("logit effect"));
    xAxis->grid()->setVisible(false);
    xAxis->setTickLabelRotation(-60);
    m_positive = new QCPBars(xAxis, yAxis);
    m_positive->setName(tr("promoted"));
    m_positive->setPen(Qt::NoPen);
    m_positive->setBrush(FeaturePalette::featureColor(0)); // Okabe-Ito blue
    m_positive->setWidth(0.7);
    m_negative = new QCPBars(xAxis, yAxis);
    m_negative->setName(tr("suppressed"));
    m_negative->setPen(Qt::NoPen);
    m_negative->setBrush(FeaturePalette::featureColor(1)); // Okabe-Ito orange
    m_negative->setWidth(0.7);
    m_empty = addEmptyText(tr("no feature selected"));
}

void LogitEffectsPlot::setEmptyText(const QString& text)
{
    m_bars.clear();
    m_positive->data()->clear();
    m_negative->data()->clear();
    m_empty->setText(text);
    m_empty->setVisible(true);
    xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    xAxis->setTickLabels(false);
    replot(rpQueuedReplot);
}

void LogitEffectsPlot::setEffects(const std::vector<Bar>& top, const std::vector<Bar>& bottom)
{
    m_bars = top;
    // Bottom effects are listed most negative first; draw them after a gap, most negative at the right end.
    std::vector<Bar> rest(bottom.rbegin(), bottom.rend());
    m_bars.insert(m_bars.end(), rest.begin(), rest.end());
    if (m_bars.empty()) {
        setEmptyText(tr("no direct logit effects"));
        return;
    }
    m_empty->setVisible(false);
    QVector<double> px, py, nx, ny;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    double low = 0.0, high = 0.0;
    for (std::size_t i = 0; i < m_bars.size(); ++i) {
        const double x = double(i) + (i >= top.size() ? 1.0 : 0.0);
        const QString label = LmDashboardData::visible(m_bars[i].token); // " the" reads as "␣the"
        ticker->addTick(x, label);
        (m_bars[i].value >= 0.0 ? px : nx).push_back(x);
        (m_bars[i].value >= 0.0 ? py : ny).push_back(m_bars[i].value);
        low = std::min(low, m_bars[i].value);
        high = std::max(high, m_bars[i].value);
    }
    m_positive->setData(px, py, true);
    m_negative->setData(nx, ny, true);
    xAxis->setTicker(ticker);
    xAxis->setTickLabels(true);
    xAxis->setRange(-0.7, double(m_bars.size()) + (bottom.empty() || top.empty() ? 0.0 : 1.0) - 0.3);
    const double pad = 0.08 * std::max(high - low, 1e-6);
    yAxis->setRange(low - pad, high + pad);
    replot(rpQueuedReplot);
}

QString LogitEffectsPlot::hoverText(const QPointF& pos) const
{
    if (m_bars.empty())
        return {};
    const double x = xAxis->pixelToCoord(pos.x());
    for (const QCPBars* bars : {m_positive, m_negative})
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            if (std::abs(it->key - x) <= 0.4) {
                const QString label = static_cast<QCPAxisTickerText*>(xAxis->ticker().data())->ticks().value(it->key);
                return tr("\u201C%1\u201D: %2").arg(label).arg(it->value, 0, 'g', 4);
            }
    return {};
}
