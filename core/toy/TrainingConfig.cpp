#include "toy/TrainingConfig.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <set>
#include <string>

namespace featurescope {

void TrainingConfig::validate(int features, int hidden, int instances) const
{
    if (steps < 1 || steps > 100000000)
        throw InputError("steps must be between 1 and 1e8 (got " + std::to_string(steps) + ")");
    if (batch < 1 || batch > 1 << 20)
        throw InputError("batch must be between 1 and 1048576 (got " + std::to_string(batch) + ")");
    if (!std::isfinite(learningRate) || learningRate <= 0.0)
        throw InputError("the learning rate must be finite and positive");
    if (!std::isfinite(weightDecay) || weightDecay < 0.0)
        throw InputError("the weight decay must be finite and non-negative");
    if (restarts < 1 || restarts > 1000)
        throw InputError("restarts must be between 1 and 1000");
    if (threads < 1 || threads > 256)
        throw InputError("threads must be between 1 and 256");
    // Per instance and thread: the batch (X, Z, G: batch x n), the hidden activations (batch x m), parameters.
    const double perInstance = 4.0 * (3.0 * batch * double(features) + 2.0 * batch * double(hidden) +
                                      8.0 * double(features) * hidden);
    const double workingSet = perInstance * std::min(instances, threads) +
                              4.0 * 8.0 * double(features) * hidden * instances * (snapshotCount + 1);
    if (workingSet > kMaxWorkingSetBytes)
        throw InputError("this configuration needs about " + std::to_string(static_cast<long long>(workingSet / 1e6)) +
                         " MB of working memory (limit " +
                         std::to_string(static_cast<long long>(kMaxWorkingSetBytes / 1e6)) +
                         " MB): reduce n, m, batch or instances");
}

std::vector<int> TrainingConfig::snapshotSteps() const
{
    // Log-spaced so the early, fast-changing part of training is replayed in detail; always includes 0 and the end.
    std::set<int> stepsSet{0, steps};
    for (int k = 1; k < snapshotCount; ++k) {
        const double t = static_cast<double>(k) / std::max(snapshotCount - 1, 1);
        stepsSet.insert(static_cast<int>(std::lround(std::pow(double(steps), t))));
    }
    return {stepsSet.begin(), stepsSet.end()};
}

void to_json(nlohmann::json& j, const TrainingConfig& config)
{
    j = nlohmann::json{{"steps", config.steps},
                       {"batch", config.batch},
                       {"learning_rate", config.learningRate},
                       {"adamw", config.adamW},
                       {"weight_decay", config.weightDecay},
                       {"seed", config.seed},
                       {"restarts", config.restarts},
                       {"snapshot_count", config.snapshotCount},
                       {"threads", config.threads}};
}

TrainingConfig TrainingConfig::fromJson(const SettingsReader& r)
{
    TrainingConfig t;
    t.steps = int(r.integer("steps", 1, 100'000'000));
    t.batch = int(r.integer("batch", 1, 1 << 20));
    t.learningRate = r.number("learning_rate", 0.0, 1e3);
    t.adamW = r.boolean("adamw");
    t.weightDecay = r.number("weight_decay", 0.0, 1e3);
    t.seed = std::uint64_t(r.integer("seed", 0, INT64_MAX));
    t.restarts = int(r.integer("restarts", 1, 1000));
    t.snapshotCount = int(r.integer("snapshot_count", 0, 100000));
    t.threads = int(r.integer("threads", 1, 1024));
    return t;
}

} // namespace featurescope
