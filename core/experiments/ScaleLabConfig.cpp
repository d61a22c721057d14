#include "experiments/ScaleLabConfig.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace featurescope {

std::string ScaleLabConfig::modelName(Model model)
{
    switch (model) {
    case Model::TiedToy: return "toy";
    case Model::UntiedToy: return "toy-untied";
    case Model::FashionMlp: return "fashion-mlp";
    case Model::File: return "file";
    }
    return "toy";
}

ScaleLabConfig::Model ScaleLabConfig::modelFromName(const std::string& name)
{
    for (Model m : {Model::TiedToy, Model::UntiedToy, Model::FashionMlp, Model::File})
        if (name == modelName(m))
            return m;
    if (name == "tied-toy")
        return Model::TiedToy;
    if (name == "untied-toy")
        return Model::UntiedToy;
    throw InputError("unknown model '" + name + "' (expected toy, toy-untied, fashion-mlp or file)");
}

void ScaleLabConfig::validate() const
{
    if (scales.empty())
        throw InputError("the scale lab needs at least one scale");
    if (scales.size() > kMaxScales)
        throw InputError("the scale lab takes at most " + std::to_string(kMaxScales) + " scales");
    for (double c : scales)
        if (!std::isfinite(c) || c < kMinScale || c > kMaxScale)
            throw InputError("scales must lie between 1e-6 and 1e6");
    if (steps < 1 || steps > 10'000'000)
        throw InputError("toy training steps must be between 1 and 10000000");
    if (epochs < 1 || epochs > 1000)
        throw InputError("MLP epochs must be between 1 and 1000");
    if (seed > (std::uint64_t(1) << 62))
        throw InputError("the seed must be below 2^62");
}

ScaleLabConfig ScaleLabConfig::fromJson(const SettingsReader& r)
{
    ScaleLabConfig c;
    const std::string model = r.text("model", 64);
    try {
        c.model = modelFromName(model);
    } catch (const InputError& e) {
        throw InputError(r.where() + ": \"model\" " + e.what());
    }
    if (r.has("scales"))
        c.scales = r.numbers("scales", kMaxScales, kMinScale, kMaxScale);
    if (r.has("steps"))
        c.steps = int(r.integer("steps", 1, 10'000'000));
    if (r.has("epochs"))
        c.epochs = int(r.integer("epochs", 1, 1000));
    if (r.has("seed"))
        c.seed = std::uint64_t(r.integer("seed", 0, std::int64_t(1) << 62));
    if (r.has("data_dir"))
        c.dataDirectory = r.text("data_dir", 4096);
    // Sessions before the shared config named the weights file "file".
    const char* weightsKey = r.has("weights") || !r.has("file") ? "weights" : "file";
    if (r.has(weightsKey))
        c.weights = r.text(weightsKey, 4096);
    if (r.has("tensor"))
        c.tensor = r.text("tensor", 256);
    if (r.has("transpose"))
        c.transpose = r.boolean("transpose");
    try {
        c.validate();
    } catch (const InputError& e) {
        throw InputError(r.where() + ": " + e.what());
    }
    return c;
}

void to_json(nlohmann::json& j, const ScaleLabConfig& c)
{
    j = nlohmann::json{{"model", ScaleLabConfig::modelName(c.model)},
                       {"scales", c.scales},
                       {"steps", c.steps},
                       {"epochs", c.epochs},
                       {"seed", c.seed},
                       {"data_dir", c.dataDirectory},
                       {"weights", c.weights},
                       {"tensor", c.tensor},
                       {"transpose", c.transpose}};
}

} // namespace featurescope
