#pragma once

#include "FeatureRunConfig.h"

#include <nlohmann/json.hpp>

#include <string>

// The Feature activations panel's settings as session JSON, and back. Reading treats the JSON as hostile: every
// field is type- and range-checked and any problem throws featurescope::InputError with one line naming the key.
// An imported file is stored by path (and array, labels, tokens names); fromJson re-reads it, or takes what preload
// read off the GUI thread (the caller is told the file is gone by the same InputError).
class FeatureSessionState {
public:
    static nlohmann::json toJson(const FeatureRunConfig& config);
    static FeatureRunConfig fromJson(const nlohmann::json& settings);
    // For a worker thread while a session opens: reads the imported file the settings name (if any) and leaves it
    // in ImportedActivationsHandoff, where fromJson finds it. Problems are left for fromJson to report.
    static void preload(const nlohmann::json& settings);
};
