#include "toy/SparsitySweep.h"

#include "geometry/FeatureMeasures.h"

#include <nlohmann/json.hpp>

namespace featurescope {

std::vector<SweepPoint> SparsitySweep::summarise(const ToyModel& model, float learnedNorm)
{
    std::vector<FeatureMeasures> measures;
    for (int i = 0; i < model.instanceCount(); ++i)
        measures.push_back(computeFeatureMeasures(model.instance(i).W));
    return summarise(model, measures, learnedNorm);
}

std::vector<SweepPoint> SparsitySweep::summarise(const ToyModel& model, const std::vector<FeatureMeasures>& all,
                                                 float learnedNorm)
{
    std::vector<SweepPoint> points;
    for (int i = 0; i < model.instanceCount() && std::size_t(i) < all.size(); ++i) {
        const FeatureMeasures& measures = all[std::size_t(i)];
        SweepPoint point;
        // A sweep shares one probability across features; with per-feature probabilities use their mean.
        const auto& p = model.config().featureProbability[static_cast<std::size_t>(i)];
        double mean = 0.0;
        for (double v : p)
            mean += v;
        point.featureProbability = mean / double(p.size());
        point.inverseDensity = 1.0 / point.featureProbability;
        point.dimensionsPerFeature = measures.dimensionsPerFeature;
        for (Eigen::Index f = 0; f < measures.norms.size(); ++f)
            if (measures.norms[f] > learnedNorm)
                point.featureDimensionality.push_back(measures.dimensionality[f]);
        points.push_back(std::move(point));
    }
    return points;
}

nlohmann::json SparsitySweep::toJson(const std::vector<SweepPoint>& points)
{
    nlohmann::json result = nlohmann::json::array();
    for (const auto& p : points)
        result.push_back({{"feature_probability", p.featureProbability},
                          {"inverse_density", p.inverseDensity},
                          {"dimensions_per_feature", p.dimensionsPerFeature},
                          {"feature_dimensionality", p.featureDimensionality}});
    return result;
}

} // namespace featurescope
