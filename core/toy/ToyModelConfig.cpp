#include "toy/ToyModelConfig.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace featurescope {

namespace {
// std::to_string prints 1e-18 as 0.000000, which hides the reason for the refusal.
std::string formatNumber(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}
} // namespace

std::string toyModelKindName(ToyModelKind kind)
{
    switch (kind) {
    case ToyModelKind::Linear: return "linear";
    case ToyModelKind::ReluOutput: return "relu-output";
    case ToyModelKind::ReluHidden: return "relu-hidden";
    case ToyModelKind::UntiedAbs: return "untied-abs";
    }
    return "relu-output";
}

ToyModelKind toyModelKindFromName(const std::string& name)
{
    for (auto kind : {ToyModelKind::Linear, ToyModelKind::ReluOutput, ToyModelKind::ReluHidden, ToyModelKind::UntiedAbs})
        if (toyModelKindName(kind) == name)
            return kind;
    throw InputError("unknown model '" + name + "' (expected linear, relu-output, relu-hidden or untied-abs)");
}

double ToyModelConfig::importance(int instance, int feature) const
{
    if (!instanceImportance.empty())
        return instanceImportance[static_cast<std::size_t>(instance)][static_cast<std::size_t>(feature)];
    return std::pow(importanceDecay, feature);
}

std::vector<std::vector<double>> ToyModelConfig::sharedProbability(int features, int instances, double p)
{
    return std::vector<std::vector<double>>(std::max(instances, 0), std::vector<double>(std::max(features, 0), p));
}

std::vector<std::vector<double>> ToyModelConfig::sweepProbabilities(int features, int instances, double pMin)
{
    std::vector<std::vector<double>> result;
    for (int k = 0; k < instances; ++k) {
        const double t = instances > 1 ? static_cast<double>(k) / (instances - 1) : 0.0;
        result.emplace_back(std::max(features, 0), std::pow(pMin, t));
    }
    return result;
}

void ToyModelConfig::validate() const
{
    if (features < 1)
        throw InputError("the number of features n must be at least 1 (got " + std::to_string(features) + ")");
    if (hidden < 1)
        throw InputError("the hidden dimension m must be at least 1 (got " + std::to_string(hidden) + ")");
    if (features > 100000 || hidden > 100000)
        throw InputError("n and m must each be at most 100000");
    if (!std::isfinite(importanceDecay) || importanceDecay <= 0.0 || importanceDecay > 1.0)
        throw InputError("the importance decay must be in (0, 1]");
    if (!instanceImportance.empty()) {
        if (instanceImportance.size() != featureProbability.size())
            throw InputError("per-instance importance needs one row per instance");
        for (const auto& row : instanceImportance) {
            if (static_cast<int>(row.size()) != features)
                throw InputError("per-instance importance needs one value per feature");
            for (double v : row)
                if (!std::isfinite(v) || v < 0.0 || v > 1e6)
                    throw InputError("importances must be finite, non-negative and at most 1e6");
        }
    }
    if (featureProbability.empty())
        throw InputError("at least one instance is needed");
    if (featureProbability.size() > 4096)
        throw InputError("at most 4096 instances are supported");
    for (const auto& row : featureProbability) {
        if (static_cast<int>(row.size()) != features)
            throw InputError("each instance needs one feature probability per feature");
        for (double p : row)
            if (!(p >= kMinFeatureProbability && p <= 1.0))
                throw InputError("feature probabilities must be in [1e-9, 1] (got " + formatNumber(p) + ")");
    }
}

ToyModelConfig ToyModelConfig::headerFromJson(const SettingsReader& settings, std::int64_t& instances)
{
    const bool legacy = !settings.has("features") && settings.has("n");
    ToyModelConfig config;
    config.features = int(settings.integer(legacy ? "n" : "features", 1, 100000));
    config.hidden = int(settings.integer(legacy ? "m" : "hidden", 1, 100000));
    config.kind = toyModelKindFromName(
        settings.choice(legacy ? "model" : "kind", {"linear", "relu-output", "relu-hidden", "untied-abs"}));
    config.importanceDecay = settings.number("importance_decay", 0.0, 1e6);
    // Old model files did not record the count; their probability rows do.
    instances = settings.has("instances") || !legacy ? settings.integer("instances", 1, 4096) : 0;
    config.featureProbability.clear();
    return config;
}

void to_json(nlohmann::json& j, const ToyModelConfig& config)
{
    j = nlohmann::json{{"features", config.features},
                       {"hidden", config.hidden},
                       {"kind", toyModelKindName(config.kind)},
                       {"importance_decay", config.importanceDecay},
                       {"instances", config.instances()}};
}

} // namespace featurescope
