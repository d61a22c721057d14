#pragma once

#include "sae/ImportedSae.h"
#include "sae/SaeEvaluator.h"

namespace featurescope {

class ProgressReporter;

// The dictionary metrics of SaeEvaluator (same definitions, same SaeDictionaryMetrics) for an ImportedSae of any
// architecture, including those SparseAutoencoder cannot represent (jumprelu, per-input normalisation,
// tanh-relu). Reconstructions use the full forward pass (ImportedSae::reconstruct). For standard and topk SAEs,
// ImportedSae::toSparseAutoencoder() + SaeEvaluator gives the same numbers and the per-feature browser too.
class ImportedSaeEvaluator {
public:
    // Cancellable between chunks (returns with evaluationCount = the inputs done so far when cancelled).
    ImportedSaeEvaluator(const ImportedSae& sae, const EvaluationSet& set, const Eigen::MatrixXf& groundTruth = {},
                         SaeEvaluationOptions options = {}, const ProgressReporter* progress = nullptr);

    const SaeDictionaryMetrics& metrics() const { return m_metrics; }
    const std::vector<double>& densities() const { return m_densities; }
    const std::vector<float>& maxActivations() const { return m_maxActivations; }
    bool cancelled() const { return m_cancelled; }

private:
    SaeDictionaryMetrics m_metrics;
    std::vector<double> m_densities;
    std::vector<float> m_maxActivations;
    bool m_cancelled = false;
};

} // namespace featurescope
