#pragma once

#include "geometry/FeatureMeasures.h"

#include "toy/ToyModel.h"

#include <nlohmann/json_fwd.hpp>

#include <vector>

namespace featurescope {

// One instance of a sparsity sweep, as the sticky-fraction plot needs it.
struct SweepPoint {
    double featureProbability = 1.0;           // 1 - S
    double inverseDensity = 1.0;               // 1 / (1 - S), the plot's log x axis
    double dimensionsPerFeature = 0.0;         // D* = m / ||W||_F²
    std::vector<float> featureDimensionality;  // D_i of the learned features (||W_i|| above the threshold)
};

// The sticky-fraction view of a trained multi-instance model (docs/ARCHITECTURE.md §4): D* and the D_i per sparsity.
class SparsitySweep {
public:
    static constexpr float kLearnedNorm = 0.3f;

    static std::vector<SweepPoint> summarise(const ToyModel& model, float learnedNorm = kLearnedNorm);
    // The same from measures already computed for each instance (e.g. ToyTrainingResult::measures, made on the
    // training thread); `measures` must hold one entry per instance.
    static std::vector<SweepPoint> summarise(const ToyModel& model, const std::vector<FeatureMeasures>& measures,
                                             float learnedNorm = kLearnedNorm);
    static nlohmann::json toJson(const std::vector<SweepPoint>& points);
};

} // namespace featurescope
