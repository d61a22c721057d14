#pragma once

#include "cli/ArgumentParser.h"
#include "experiments/SaeExperiment.h"
#include "sae/ActivationImport.h"

#include <string>
#include <vector>

// The options of `featurescope sae` (source, SAE recipe, training, evaluation) and how they become an experiment's
// configuration: shared by `sae` and `sae-sweep`, so a sweep's point is exactly the `sae` run with those options.
class SaeOptions {
public:
    // The option table, with defaults stated from the experiment's own defaults.
    static std::vector<ArgumentParser::Option> list();
    // --source, or "file" when --activations is given, else "synthetic".
    static std::string sourceName(const ArgumentParser& args);
    // The experiment the options describe; every inconsistent or out-of-range option throws InputError.
    static featurescope::SaeExperimentConfig config(const ArgumentParser& args);
    // --activations FILE with --array, --labels and --u2-is-bf16.
    static featurescope::ImportedActivations loadActivations(const ArgumentParser& args);
};
