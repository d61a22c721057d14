#pragma once

#include "session/PanelState.h"
#include "toy/ToyTrainingResult.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace featurescope {

// A toy-model run (weights, loss curves, replay snapshots, its model and training configs) as session state: small
// values in the settings JSON, every matrix as a named array. The layout is the one sessions have used since they
// existed, so older session files open unchanged.
//
// read() treats the state as hostile: every key is type- and range-checked, and every array's shape is checked
// against the model config before anything sized by that config is allocated, so a small file that claims huge
// sizes is refused at once. Weights must be finite.
class ToyRunState {
public:
    // Writes the run's settings (returned) and its arrays (into `arrays`).
    static nlohmann::json write(const ToyTrainingResult& result, std::map<std::string, ArrayData>& arrays);
    static std::shared_ptr<ToyTrainingResult> read(const nlohmann::json& settings,
                                                   const std::map<std::string, ArrayData>& arrays,
                                                   const std::string& where);
};

} // namespace featurescope
