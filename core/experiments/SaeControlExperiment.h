#pragma once

#include "experiments/ControlComparison.h"
#include "experiments/SaeExperimentConfig.h"
#include "experiments/SaeSourceFactory.h"

namespace featurescope {

class ProgressReporter;

// The randomized-weights control, defined once: the config's SAE experiment run twice through SaeExperiment, on the
// trained MLP and on its shuffled-weights copy (config.randomized off and on), reduced to a ControlComparison. Each
// side gives exactly what `featurescope sae --source fashion-mnist [--randomized]` gives for the same seed.
// Throws Cancelled when cancelled, InputError when either SAE diverges.
class SaeControlExperiment {
public:
    static ControlComparison run(const SaeExperimentConfig& config, SaeSourceFactory& sources,
                                 const ProgressReporter& progress);
};

} // namespace featurescope
