#pragma once

#include "FeatureSnapshot.h"

#include "plots/HistogramPlot.h"

#include <memory>
#include <vector>

// The dictionary's feature-density histogram (log10 of each feature's firing rate, dead features counted apart), with
// the selected feature marked and the health bands shaded (ultra-rare below its threshold, dense above, from the
// thresholds the dictionary's metrics use). Bins start at the lowest density the evaluation set can show, so nothing is hidden
// below the axis.
class FeatureDensityHistogram : public HistogramPlot {
    Q_OBJECT
public:
    explicit FeatureDensityHistogram(QWidget* parent = nullptr);

    void setSnapshot(std::shared_ptr<const FeatureSnapshot> snapshot);
    void markFeature(int feature); // -1 clears the marker
    // The features whose density falls in `bin` (a bar's index), in index order.
    std::vector<int> featuresInBin(int bin) const;
    // The feature a click on `bin` selects when `selected` is selected: repeated clicks step through the bin's
    // features (after the last, back to the first). -1 for an empty bin.
    int nextFeatureInBin(int bin, int selected) const;

private:
    static QString baseToolTip();

    std::shared_ptr<const FeatureSnapshot> m_snapshot;
};
