#pragma once

#include "sae/SaeEvaluator.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace featurescope {

// The randomized-weights control of Towards Monosemanticity: the same SAE settings trained on the hidden layer of
// the trained MLP and of its shuffled-weights copy, reduced to per-feature distributions of measurable proxies.
struct ControlComparison {
    struct Side {
        std::string name;
        double accuracy = 0.0; // the network's test accuracy
        SaeDictionaryMetrics metrics;
        std::vector<double> densities;  // per feature (0 = dead)
        std::vector<double> purities;   // features with at least top-k examples only
        std::vector<double> coherences; // features with at least top-k examples only
    };
    Side trained;
    Side shuffled;
    int latentDim = 0;
    int steps = 0;
    int topK = 20;

    // Median of the finite values (NaN for none).
    static double median(std::vector<double> values);
    // One or two sentences generated from the numbers: medians of each proxy side by side, dead fractions, and the
    // caveat that proxies are distributions, not a verdict.
    std::string reading() const;
};

// Session JSON (small: distributions of at most d_sae values per side). from_json treats the JSON as hostile:
// InputError names the key.
void to_json(nlohmann::json& j, const ControlComparison& control);
ControlComparison controlComparisonFromJson(const nlohmann::json& j, const std::string& where);

} // namespace featurescope
