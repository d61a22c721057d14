#include "FeatureDensityHistogram.h"

#include "plots/FeaturePalette.h"

#include <algorithm>
#include <cmath>

namespace {
constexpr double kBinWidth = 0.25; // the width core's density histogram uses
}

FeatureDensityHistogram::FeatureDensityHistogram(QWidget* parent) : HistogramPlot(parent)
{
    setObjectName(QStringLiteral("densityHistogram"));
    setTitle(tr("Feature density"));
    setAxisLabels(tr("log₁₀ feature density"), tr("features"));
    setToolTip(tr("How often each feature fires (log10 of the fraction of inputs). Towards Monosemanticity shows a "
                  "main cluster and an \"ultralow\" cluster of artifacts. Click a bar to select its features one "
                  "after another."));
    setMinimumHeight(170);
}

void FeatureDensityHistogram::setSnapshot(std::shared_ptr<const FeatureSnapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    if (!m_snapshot) {
        clear();
        return;
    }
    const FeatureSnapshot& s = *m_snapshot;
    const int n = std::max(1, s.metrics().evaluationCount);
    const double low = std::floor(std::log10(1.0 / n) / kBinWidth) * kBinWidth;
    const int bins = std::max(1, int(std::lround(-low / kBinWidth)));
    const auto binEdges = HistogramPlot::binEdges(low, 0.0, bins);
    std::vector<double> logs;
    int dead = 0;
    for (double d : s.densities) {
        if (d > 0.0)
            logs.push_back(std::log10(d));
        else
            ++dead;
    }
    setHistogram(binEdges, {{QString(), FeaturePalette::featureColor(0), HistogramPlot::countValues(logs, binEdges)}});
    setTitle(tr("Feature density · %1 dead of %2%3").arg(dead).arg(s.latentDim()).arg(s.final ? QString() : tr(" (live)")));
    setAxisLabels(tr("log₁₀ feature density (on %1 inputs)").arg(n), tr("features"));
}

void FeatureDensityHistogram::markFeature(int feature)
{
    const bool valid = m_snapshot && feature >= 0 && feature < m_snapshot->latentDim() &&
                       m_snapshot->densities[std::size_t(feature)] > 0.0;
    if (valid)
        setMarker(std::log10(m_snapshot->densities[std::size_t(feature)]), tr("#%1").arg(feature));
    else
        setMarker(std::nan(""));
}

std::vector<int> FeatureDensityHistogram::featuresInBin(int bin) const
{
    std::vector<int> features;
    const auto& e = edges();
    if (!m_snapshot || bin < 0 || bin + 1 >= int(e.size()))
        return features;
    const bool last = bin + 2 == int(e.size());
    for (int j = 0; j < m_snapshot->latentDim(); ++j) {
        const double d = m_snapshot->densities[std::size_t(j)];
        if (d <= 0.0)
            continue;
        const double x = std::log10(d);
        if (x >= e[std::size_t(bin)] && (x < e[std::size_t(bin) + 1] || last))
            features.push_back(j);
    }
    return features;
}
