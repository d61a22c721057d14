#include "FeatureDensityHistogram.h"

#include "plots/FeaturePalette.h"

#include <algorithm>
#include <cmath>

namespace {
constexpr double kBinWidth = 0.25; // the width core's density histogram uses
} // namespace

QString FeatureDensityHistogram::baseToolTip()
{
    return tr("How often each feature fires (log10 of the fraction of inputs). Towards Monosemanticity shows a main "
              "cluster and an \"ultralow\" cluster of artifacts. Click a bar to select its features one after another.");
}

FeatureDensityHistogram::FeatureDensityHistogram(QWidget* parent) : HistogramPlot(parent)
{
    setObjectName(QStringLiteral("densityHistogram"));
    setTitle(tr("Feature density"));
    setAxisLabels(tr("log₁₀ feature density"), tr("features"));
    setToolTip(baseToolTip());
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
    // "Silent", not "dead": these are the evaluation inputs; dead (the metrics strip) counts the training window.
    setTitle(tr("Feature density · %1 of %2 silent%3").arg(dead).arg(s.latentDim()).arg(s.final ? QString() : tr(" (live)")));
    // The health bands, from the thresholds the metrics use: ultra-rare below, dense above (dense relative to the
    // data on synthetic and toy sources). A band the axis cannot show is said in the axis label instead.
    const auto& m = s.metrics();
    std::vector<Band> bands;
    const double rare = m.ultraRareThreshold > 0.0 ? std::log10(m.ultraRareThreshold) : -1e9;
    QString bandsText = tr("Shaded: ");
    if (rare > low)
        bands.push_back({low, rare, tr("ultra-rare"), QColor(70, 110, 190)});
    else if (m.ultraRareThreshold > 0.0)
        bandsText += tr("ultra-rare features (density < %1) lie below what %2 inputs can show; ")
                         .arg(m.ultraRareThreshold, 0, 'g', 2)
                         .arg(n);
    if (m.denseThreshold > 0.0 && m.denseThreshold < 1.0)
        bands.push_back({std::log10(m.denseThreshold), 0.0, tr("dense > %1 %").arg(100.0 * m.denseThreshold, 0, 'g', 2),
                         QColor(213, 94, 0)});
    setBands(bands);
    bandsText += tr("dense features, above %1 of inputs (on synthetic and toy data: the densest true feature's "
                    "rate plus three standard errors).")
                     .arg(m.denseThreshold, 0, 'g', 3);
    setToolTip(baseToolTip() + QStringLiteral("\n") + bandsText);
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

int FeatureDensityHistogram::nextFeatureInBin(int bin, int selected) const
{
    const std::vector<int> features = featuresInBin(bin);
    if (features.empty())
        return -1;
    const auto next = std::upper_bound(features.begin(), features.end(), selected);
    const bool inBin = std::find(features.begin(), features.end(), selected) != features.end();
    return inBin && next != features.end() ? *next : features.front();
}
