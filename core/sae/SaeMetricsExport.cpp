#include "sae/SaeMetricsExport.h"

#include "io/AtomicFileWriter.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace featurescope {

nlohmann::json SaeMetricsExport::toJson(const SaeDictionaryMetrics& m)
{
    nlohmann::json j = {{"evaluation_inputs", m.evaluationCount},
                        {"l0", m.l0},
                        {"mse", m.mse},
                        {"explained_variance", m.explainedVariance},
                        {"dead_fraction", m.deadFraction},
                        {"ultra_rare_fraction", m.ultraRareFraction},
                        {"dense_fraction", m.denseFraction},
                        {"ultra_rare_threshold", m.ultraRareThreshold},
                        {"dense_threshold", m.denseThreshold},
                        {"health_inputs", m.healthInputs},
                        {"health_window", m.healthFromTraining() ? "training" : "evaluation"},
                        {"health_window_steps", m.healthSteps},
                        {"silent_on_evaluation_fraction", m.silentFraction},
                        {"density_log10_histogram",
                         {{"low", m.densityHistogram.low},
                          {"bin_width", m.densityHistogram.binWidth},
                          {"edges", m.densityHistogram.edges()},
                          {"counts", m.densityHistogram.counts},
                          {"dead", m.densityHistogram.dead}}}};
    if (m.hasMmcs())
        j["mmcs"] = m.mmcs;
    if (m.mcc >= -0.5)
        j["mcc"] = m.mcc;
    if (m.hasDetection()) {
        j["precision_mean"] = m.precisionMean;
        j["recall_mean"] = m.recallMean;
        j["f1_mean"] = m.f1Mean;
        if (m.shrinkage >= 0.0)
            j["shrinkage"] = m.shrinkage;
        if (m.absorptionRate >= 0.0)
            j["absorption_rate"] = m.absorptionRate;
    }
    if (m.hasLabelPurity())
        j["mean_label_purity"] = m.meanLabelPurity;
    if (m.meanCoherence >= -0.5)
        j["mean_coherence"] = m.meanCoherence;
    return j;
}

std::string SaeMetricsExport::featureTableCsv(const std::vector<double>& densities,
                                              const std::vector<float>& maxActivations,
                                              const std::vector<double>& labelPurities,
                                              const std::vector<double>& coherences)
{
    std::string out = "feature,density,log10_density,max_activation,label_purity,coherence\n";
    char line[256];
    for (std::size_t j = 0; j < densities.size(); ++j) {
        const double density = densities[j];
        std::snprintf(line, sizeof line, "%zu,%.9g,%.9g,%.9g,%.9g,%.9g\n", j, density,
                      density > 0.0 ? std::log10(density) : -std::numeric_limits<double>::infinity(),
                      j < maxActivations.size() ? double(maxActivations[j]) : 0.0,
                      j < labelPurities.size() ? labelPurities[j] : -1.0, j < coherences.size() ? coherences[j] : -1.0);
        out += line;
    }
    return out;
}

std::string SaeMetricsExport::featureTableCsv(const SaeEvaluator& evaluator)
{
    return featureTableCsv(evaluator.densities(), evaluator.maxActivations(), evaluator.labelPurities(),
                           evaluator.coherences());
}

void SaeMetricsExport::writeJson(const std::string& path, const nlohmann::json& json)
{
    AtomicFileWriter::writeFile(path, json.dump(2) + "\n");
}

void SaeMetricsExport::writeText(const std::string& path, const std::string& text)
{
    AtomicFileWriter::writeFile(path, text);
}

} // namespace featurescope
