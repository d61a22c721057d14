#pragma once

#include "FeatureRunConfig.h"

#include <nlohmann/json.hpp>

#include <string>

// The Feature activations panel's settings as session JSON, and back. Reading treats the JSON as hostile: every
// field is type- and range-checked and any problem throws featurescope::InputError with one line naming the key.
// An imported file is stored by path (and array, labels, tokens names); fromJson re-reads it (the caller is told it
// is gone by the same InputError).
class FeatureSessionState {
public:
    static nlohmann::json toJson(const FeatureRunConfig& config);
    static FeatureRunConfig fromJson(const nlohmann::json& settings);
};
