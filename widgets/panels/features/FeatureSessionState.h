#pragma once

#include "experiments/SaeExperimentConfig.h"

#include <nlohmann/json.hpp>

#include <string>

struct FeatureSnapshot;

// The Feature activations panel's experiment settings in a session: core's SaeExperimentConfig JSON, plus the
// panel's hand-off of an imported file read off the GUI thread while the session opens.
class FeatureSessionState {
public:
    static nlohmann::json toJson(const featurescope::SaeExperimentConfig& config);
    // Validates; an imported file is taken from what preload() read, or read again.
    static featurescope::SaeExperimentConfig fromJson(const nlohmann::json& settings);
    // For a worker thread while a session opens: reads the imported file the settings name (if any) and leaves it
    // in ImportedActivationsHandoff, where fromJson finds it. Problems are left for fromJson to report.
    static void preload(const nlohmann::json& settings);
    // Writes the snapshot's SAE as a SAELens folder, its settings (as in a session) in cfg.json's metadata.
    static void exportSae(const FeatureSnapshot& snapshot, const std::string& directory);
};
