#include "toy/ToyModelReport.h"

#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"
#include "toy/LossTrend.h"

#include <nlohmann/json.hpp>

namespace featurescope {

namespace {
nlohmann::json vectorJson(const Eigen::VectorXf& v)
{
    return nlohmann::json(std::vector<float>(v.data(), v.data() + v.size()));
}
nlohmann::json matrixRowsJson(const Eigen::MatrixXf& M)
{
    nlohmann::json rows = nlohmann::json::array();
    for (Eigen::Index r = 0; r < M.rows(); ++r) {
        std::vector<float> row(static_cast<std::size_t>(M.cols()));
        for (Eigen::Index c = 0; c < M.cols(); ++c)
            row[static_cast<std::size_t>(c)] = M(r, c);
        rows.push_back(row);
    }
    return rows;
}
} // namespace

nlohmann::json toyInstanceReport(const ToyModel& model, int instance, double loss)
{
    const ToyInstance& params = model.instance(instance);
    const FeatureMeasures measures = computeFeatureMeasures(params.W);
    nlohmann::json geometry = nlohmann::json::array();
    for (const auto& component : findFeatureGeometry(params.W))
        geometry.push_back({{"kind", component.kind},
                            {"features", component.features},
                            {"mean_dimensionality", component.meanDimensionality}});
    const auto& probability = model.config().featureProbability[static_cast<std::size_t>(instance)];
    nlohmann::json j{{"instance", instance},
                     {"feature_probability", probability.front()},
                     {"loss", loss},
                     {"W", matrixRowsJson(params.W)},
                     {"b", vectorJson(params.b)},
                     {"feature_norms", vectorJson(measures.norms)},
                     {"feature_dimensionality", vectorJson(measures.dimensionality)},
                     {"superposition", vectorJson(measures.superposition)},
                     {"features_per_dimension", measures.featuresPerDimension},
                     {"dimensions_per_feature", measures.dimensionsPerFeature},
                     {"frobenius_squared", measures.frobeniusSquared},
                     {"geometry", geometry}};
    bool shared = true;
    for (double p : probability)
        shared = shared && p == probability.front();
    if (!shared)
        j["feature_probabilities"] = probability;
    if (params.decoder.size())
        j["decoder"] = matrixRowsJson(params.decoder);
    return j;
}

nlohmann::json toyTrainingReport(const ToyTrainingResult& result, double seconds)
{
    nlohmann::json config = result.model.config();
    config["training"] = result.training;
    nlohmann::json instances = nlohmann::json::array();
    for (int i = 0; i < result.model.instanceCount(); ++i) {
        nlohmann::json inst = toyInstanceReport(result.model, i, result.finalLoss[static_cast<std::size_t>(i)]);
        // Stopped while still descending: more steps (or a higher learning rate) would lower the loss.
        if (static_cast<std::size_t>(i) < result.lossHistory.size()) {
            const LossTrend trend = measureLossTrend(result.lossHistory[static_cast<std::size_t>(i)]);
            inst["loss_still_falling"] = trend.stillFalling;
            inst["loss_drop_last_tenth"] = trend.relativeDrop;
        }
        if (result.training.restarts > 1)
            inst["restart_chosen"] = result.restartChosen[static_cast<std::size_t>(i)];
        instances.push_back(std::move(inst));
    }
    const char* status = result.status == TrainingStatus::Finished    ? "finished"
                         : result.status == TrainingStatus::Cancelled ? "cancelled"
                         : result.status == TrainingStatus::Diverged  ? "diverged"
                                                                      : "running";
    nlohmann::json j{{"config", config},
                     {"instances", instances},
                     {"steps_done", result.stepsDone},
                     {"status", status},
                     {"seconds", seconds},
                     {"steps_per_s", seconds > 0 ? result.stepsDone * result.training.restarts / seconds : 0.0}};
    if (!result.message.empty())
        j["message"] = result.message;
    return j;
}

} // namespace featurescope
