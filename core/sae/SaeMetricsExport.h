#pragma once

#include "sae/SaeEvaluator.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace featurescope {

// SAE quality metrics as JSON (the keys `featurescope sae --json` prints) and per-feature tables as CSV, and the
// files they go to (written atomically).
class SaeMetricsExport {
public:
    // evaluation_inputs, l0, mse, explained_variance, dead_fraction, dense_fraction, density_log10_histogram
    // {low, bin_width, edges, counts, dead}, and mmcs / mean_label_purity / mean_coherence when defined.
    static nlohmann::json toJson(const SaeDictionaryMetrics& metrics);
    // feature,density,log10_density,max_activation,label_purity,coherence (one row per feature; -1 = undefined).
    static std::string featureTableCsv(const SaeEvaluator& evaluator);
    static std::string featureTableCsv(const std::vector<double>& densities, const std::vector<float>& maxActivations,
                                       const std::vector<double>& labelPurities = {},
                                       const std::vector<double>& coherences = {});
    static void writeJson(const std::string& path, const nlohmann::json& json);
    static void writeText(const std::string& path, const std::string& text);
};

} // namespace featurescope
