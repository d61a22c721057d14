#pragma once

#include "lm/GptHookPoint.h"
#include "lm/TransformerLensProcessing.h"
#include "lmfeatures/LogitEffects.h"

#include <Eigen/Core>

#include <cstdint>
#include <utility>
#include <vector>

namespace featurescope {

class ImportedSae;
class LanguageModel;
class ProgressReporter;

struct DashboardSettings {
    int context = 0;                  // tokens per window, BOS included (0: the smaller of n_positions and 128)
    std::uint64_t maxTokens = 16384;  // positions to scan at most, in whole windows
    int batch = 8;                    // windows per forward pass
    int threads = 1;                  // batches encoded at once (the results are the same for any number)
    // Non-zero codes kept (12 bytes each); a scan that would keep more stops early and says so (truncated()).
    std::uint64_t maxStoredActivations = std::uint64_t(1) << 24;
};

// One example: a stretch of a scanned window around the token where the feature is strongest.
struct DashboardExample {
    std::int64_t sequence = 0;  // window index in scan order
    int position = 0;           // the strongest token's position in its window (BOS, when prepended, is 0)
    int first = 0;              // window position of tokenIds[0]
    float maxActivation = 0.0f; // the feature's code at `position`
    std::vector<int> tokenIds;
    std::vector<float> activations; // the feature's code at each of tokenIds
};

// Examples drawn from one band of the feature's non-zero activations, weakest band first.
struct QuantileGroup {
    float lower = 0.0f; // activation range of the band
    float upper = 0.0f;
    std::int64_t count = 0; // active tokens in the band
    std::vector<DashboardExample> examples;
};

struct FeatureCard {
    int index = 0;
    std::int64_t activeTokens = 0;
    double density = 0.0; // activeTokens / tokens scanned
    float maxActivation = 0.0f;
    std::vector<DashboardExample> topExamples; // strongest first, at most one per window
    std::vector<QuantileGroup> quantileGroups;
    bool logitsAvailable = false;
    std::vector<LogitEffects::Token> topLogits, bottomLogits;
    std::vector<double> histogramEdges;        // log10 activation, counts.size() + 1 edges
    std::vector<std::int64_t> histogramCounts; // non-zero activations per bin
    std::vector<std::pair<int, float>> nearest;  // other features by decoder cosine, highest first
    std::vector<std::pair<int, float>> coFiring; // other features by Jaccard index of their active tokens
};

struct CardOptions {
    int topExamples = 10;
    int contextTokens = 8; // shown on each side of the strongest token
    int quantileGroups = 5;
    int examplesPerGroup = 3;
    int logits = 10;
    int neighbours = 8;
};

// The data behind SAE-Vis-style feature dashboards for an SAE on a language model's hook. scan() runs text through
// the model in windows (with the TransformerLens processing the SAE expects), encodes every position and keeps the
// non-zero codes twice - by token (for co-firing) and by feature (for everything else) - so that card() builds any
// feature's dashboard in milliseconds. Memory is bounded by DashboardSettings::maxStoredActivations.
class FeatureDashboard {
public:
    // `lm` and `sae` must outlive the dashboard. Throws InputError when the SAE's width is not the hook's.
    FeatureDashboard(const LanguageModel& lm, const ImportedSae& sae, const GptHookPoint& hook,
                     const TransformerLensProcessing& processing);

    // Replaces what an earlier scan kept. Throws InputError (no full window, ids outside the vocabulary) or
    // Cancelled through `progress`.
    void scan(const std::vector<int>& textIds, const DashboardSettings& settings, const ProgressReporter* progress = nullptr);

    std::int64_t tokensScanned() const { return std::int64_t(m_tokens.size()); }
    std::int64_t windows() const { return m_context > 0 ? tokensScanned() / m_context : 0; }
    int context() const { return m_context; }
    // What was applied (prepend_bos is off when the tokenizer has no BOS).
    const TransformerLensProcessing& processing() const { return m_processing; }
    bool truncated() const { return m_truncated; }
    const std::vector<int>& tokens() const { return m_tokens; } // row = window * context + position
    int features() const;

    // Throws InputError for a feature outside the SAE.
    FeatureCard card(int feature, const CardOptions& options = {}) const;
    // Codes of one sequence (e.g. a typed prompt, BOS added when the processing asks for it): d_sae x ids.size().
    Eigen::MatrixXf encodeSequence(const std::vector<int>& ids) const;

    // A feature's non-zero codes, rows ascending (row = window * context + position).
    struct Entry {
        std::int32_t row;
        float value;
    };
    const std::vector<Entry>& activations(int feature) const { return m_byFeature[std::size_t(feature)]; }
    const LogitEffects& logitEffects() const { return m_logits; }
    const ImportedSae& sae() const { return m_sae; }

private:
    DashboardExample example(int feature, std::int32_t row, int contextTokens) const;
    void captureCodes(const std::vector<int>& ids, int batch, int tokens, Eigen::MatrixXf& codes) const;

    const LanguageModel& m_lm;
    const ImportedSae& m_sae;
    GptHookPoint m_hook;
    TransformerLensProcessing m_processing;
    LogitEffects m_logits;
    int m_context = 0;
    bool m_truncated = false;
    std::vector<int> m_tokens;
    std::vector<std::vector<Entry>> m_byFeature; // rows ascending
    std::vector<std::int64_t> m_rowStart;        // CSR by token: features of row r are m_rowFeatures[start[r], start[r+1])
    std::vector<std::int32_t> m_rowFeatures;
};

} // namespace featurescope
