#include "experiments/SaeRunState.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"

namespace featurescope {

namespace {
const char kParameters[] = "sae_parameters";
const char kLoss[] = "loss_history";
const char kMse[] = "mse_history";
const char kWindowFires[] = "sae_window_fires";
const std::string kWhere = "features panel state: trained";

std::vector<float> history(const std::map<std::string, ArrayData>& arrays, const char* name)
{
    const auto it = arrays.find(name);
    if (it == arrays.end())
        return {};
    if (!dtypeIsFloat(it->second.dtype()) || it->second.rank() != 1)
        throw InputError(std::string("features panel state: ") + name + " is not a float vector");
    return it->second.toFloatVector();
}
} // namespace

nlohmann::json SaeRunState::write(std::map<std::string, ArrayData>& arrays) const
{
    nlohmann::json j = {{"step", step},
                        {"total_steps", totalSteps},
                        {"steps_per_second", stepsPerSecond},
                        {"status", status},
                        {"origin", origin},
                        {"input_scale", sae->inputScale()},
                        {"input_dim", sae->inputDim()},
                        {"latent_dim", sae->latentDim()}};
    // The experiment's SAE settings may differ from the model's for an opened SAELens SAE: store the model's.
    j["sae"] = sae->config();
    if (sae->config().selectsOverBatch())
        j["threshold"] = sae->threshold();
    const auto& p = sae->parameters();
    arrays[kParameters] = ArrayData::fromFloats({p.size()}, p.data());
    arrays[kLoss] = ArrayData::fromFloats({lossHistory.size()}, lossHistory.data());
    arrays[kMse] = ArrayData::fromFloats({mseHistory.size()}, mseHistory.data());
    if (!activity.empty()) {
        j["window_inputs"] = activity.inputs;
        j["window_steps"] = activity.steps;
        arrays[kWindowFires] = ArrayData::fromInts({activity.fires.size()}, activity.fires.data());
    }
    return j;
}

SaeRunState SaeRunState::read(const nlohmann::json& trained, const std::map<std::string, ArrayData>& arrays,
                              SaeExperimentConfig& config)
{
    const SettingsReader t(trained, kWhere);
    SaeConfig saeConfig = config.saeConfig();
    saeConfig.inputDim = int(t.integer("input_dim", 1, 65536));
    saeConfig.latentDim = int(t.integer("latent_dim", 1, 65536));
    if (t.has("sae") && t.raw("sae").is_object()) {
        // k of the stored model decides how its parameters are used.
        const SettingsReader stored = t.object("sae");
        if (stored.has("k"))
            saeConfig.k = int(stored.integer("k", 1, 65536));
    }
    if (saeConfig.inputDim != config.inputDimension())
        throw InputError("features panel state: the saved SAE reads d = " + std::to_string(saeConfig.inputDim) +
                         " but its source gives d = " + std::to_string(config.inputDimension()));
    saeConfig.validate();
    const auto p = arrays.find(kParameters);
    if (p == arrays.end())
        throw InputError("features panel state: the trained SAE's weights (sae_parameters) are missing");
    const std::uint64_t expected = SparseAutoencoder::parameterCount(saeConfig);
    if (p->second.dtype() != DType::F32 || p->second.rank() != 1 || p->second.elementCount() != expected)
        throw InputError("features panel state: sae_parameters is " + p->second.describe() + ", expected [" +
                         std::to_string(expected) + "] f32");
    SaeRunState state;
    state.sae = std::make_shared<SparseAutoencoder>(saeConfig);
    p->second.toFloat(state.sae->parameters().data());
    const double scale = t.number("input_scale", 1e-30, 1e30);
    state.sae->setInputScale(float(scale));
    if (saeConfig.selectsOverBatch() && t.has("threshold"))
        state.sae->setThreshold(float(t.number("threshold", 0.0, 1e30)));
    if (!state.sae->isFinite())
        throw InputError("features panel state: sae_parameters holds NaN or infinite values");
    const auto fires = arrays.find(kWindowFires);
    if (fires != arrays.end() && t.has("window_inputs")) {
        // Sessions before the health window have none: their health is counted on the evaluation inputs.
        SaeTrainingActivity& a = state.activity;
        a.inputs = t.integer("window_inputs", 1, std::int64_t(1) << 50);
        a.steps = int(t.integer("window_steps", 1, 1000000000));
        if (!dtypeIsInteger(fires->second.dtype()) || fires->second.rank() != 1 ||
            fires->second.elementCount() != std::uint64_t(saeConfig.latentDim))
            throw InputError("features panel state: sae_window_fires is " + fires->second.describe() +
                             ", expected [" + std::to_string(saeConfig.latentDim) + "] integers");
        a.fires = fires->second.toInt64Vector(kWindowFires);
        for (std::int64_t f : a.fires)
            if (f < 0 || f > a.inputs)
                throw InputError("features panel state: sae_window_fires holds a count outside [0, window_inputs]");
    }
    state.lossHistory = history(arrays, kLoss);
    state.mseHistory = history(arrays, kMse);
    state.step = int(t.integer("step", 0, 1000000000));
    state.totalSteps = int(t.integer("total_steps", 0, 1000000000));
    state.stepsPerSecond = t.number("steps_per_second", 0.0, 1e12);
    state.status = t.text("status", 2000);
    state.origin = t.text("origin", 4096);
    config.sae.variant = saeConfig.variant;
    config.sae.latentDim = saeConfig.latentDim;
    config.sae.k = saeConfig.k;
    return state;
}

} // namespace featurescope
