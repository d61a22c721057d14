#pragma once

#include "io/ArrayData.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace featurescope {

// What one panel writes into a session so that it redraws exactly what it showed: its settings (parameters, seeds,
// selection, view choices) as JSON, and its arrays (trained weights, loaded activations it cannot re-read) by name.
// The session file stores the settings in its JSON and the arrays in its weights file.
struct PanelState {
    nlohmann::json settings = nlohmann::json::object();
    std::map<std::string, ArrayData> arrays;
};

} // namespace featurescope
