#pragma once

#include "experiments/SaeExperimentConfig.h"
#include "io/ArrayData.h"
#include "sae/SaeEvaluator.h" // SaeTrainingActivity
#include "sae/SparseAutoencoder.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace featurescope {

// A trained SAE as session state: its shape, scale and run facts in the settings JSON, its parameters and loss curves
// as named arrays. read() treats both as hostile: keys are type- and range-checked, the parameter array must have
// exactly the size the stored shape implies (checked before the SAE is allocated) and finite values, and the SAE
// must read the dimension its experiment's source gives.
struct SaeRunState {
    std::shared_ptr<SparseAutoencoder> sae;
    std::vector<float> lossHistory;
    std::vector<float> mseHistory;
    SaeTrainingActivity activity; // fires per latent over the final training window (empty: not known)
    int step = 0;
    int totalSteps = 0;
    double stepsPerSecond = 0.0;
    std::string status; // why training stopped early, or empty
    std::string origin; // how the SAE came to be when not trained here ("SAELens folder /path", ...)

    // Writes the settings (returned) and the arrays (into `arrays`).
    nlohmann::json write(std::map<std::string, ArrayData>& arrays) const;
    // `config` is the experiment the SAE belongs to: its SAE settings are updated to the stored model's.
    static SaeRunState read(const nlohmann::json& trained, const std::map<std::string, ArrayData>& arrays,
                            SaeExperimentConfig& config);
};

} // namespace featurescope
