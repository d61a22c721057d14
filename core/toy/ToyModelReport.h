#pragma once

#include "toy/ToyTrainingResult.h"

#include <nlohmann/json_fwd.hpp>

namespace featurescope {

// The measures and geometry of one trained instance as JSON: what `featurescope tms --json` prints per instance,
// and what sessions store.
nlohmann::json toyInstanceReport(const ToyModel& model, int instance, double loss);
// config + instances + training summary.
nlohmann::json toyTrainingReport(const ToyTrainingResult& result, double seconds);

} // namespace featurescope
