#include "lmfeatures/InterpretabilityProxies.h"

#include "lmfeatures/FeatureDashboard.h"
#include "sae/ImportedSae.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <unordered_map>

namespace featurescope {

InterpretabilityProxies InterpretabilityProxies::measure(const FeatureDashboard& dashboard)
{
    InterpretabilityProxies p;
    const int features = dashboard.features();
    const double positions = double(dashboard.tokensScanned());
    if (features == 0 || positions == 0)
        return p;
    std::unordered_map<int, double> tokenCount; // occurrences of each token id among the scanned positions
    for (const int id : dashboard.tokens())
        tokenCount[id] += 1.0;

    CardOptions options;
    options.quantileGroups = 0;
    options.logits = 0;
    options.neighbours = 0;
    std::vector<int> live;
    double explained = 0.0, distinct = 0.0, density = 0.0;
    for (int f = 0; f < features; ++f) {
        const auto& entries = dashboard.activations(f);
        if (entries.empty())
            continue;
        live.push_back(f);
        // Sums of squares with the zeros of inactive positions included.
        std::unordered_map<int, std::pair<double, double>> byToken; // token -> (sum, sum of squares)
        double sum = 0.0, squares = 0.0;
        for (const auto& e : entries) {
            const double a = e.value;
            auto& s = byToken[dashboard.tokens()[std::size_t(e.row)]];
            s.first += a;
            s.second += a * a;
            sum += a;
            squares += a * a;
        }
        const double total = squares - sum * sum / positions;
        double within = 0.0;
        for (const auto& [token, s] : byToken)
            within += s.second - s.first * s.first / tokenCount[token];
        explained += total > 0.0 ? std::clamp(1.0 - within / total, 0.0, 1.0) : 0.0;
        const FeatureCard card = dashboard.card(f, options);
        std::vector<int> strongest;
        for (const auto& example : card.topExamples)
            strongest.push_back(example.tokenIds[std::size_t(example.position - example.first)]);
        std::sort(strongest.begin(), strongest.end());
        distinct += double(std::unique(strongest.begin(), strongest.end()) - strongest.begin());
        density += double(entries.size()) / positions;
    }
    p.liveFeatures = int(live.size());
    p.deadFraction = 1.0 - double(live.size()) / double(features);
    if (live.empty())
        return p;
    p.tokenExplainedVariance = explained / double(live.size());
    p.distinctTopTokens = distinct / double(live.size());
    p.meanDensity = density / double(live.size());

    if (dashboard.logitEffects().available()) {
        const Eigen::MatrixXf& decoder = dashboard.sae().decoderWeights();
        double concentration = 0.0;
        constexpr std::size_t kChunk = 256; // bounded memory: chunk x vocabulary effects at a time
        for (std::size_t first = 0; first < live.size(); first += kChunk) {
            const std::size_t n = std::min(kChunk, live.size() - first);
            Eigen::MatrixXf directions(decoder.rows(), Eigen::Index(n));
            for (std::size_t i = 0; i < n; ++i)
                directions.col(Eigen::Index(i)) = decoder.col(live[first + i]);
            const auto effects = dashboard.logitEffects().effectsOfMany(directions);
            for (Eigen::Index r = 0; r < effects.rows(); ++r) {
                std::vector<float> squared(std::size_t(effects.cols()));
                for (Eigen::Index c = 0; c < effects.cols(); ++c)
                    squared[std::size_t(c)] = effects(r, c) * effects(r, c);
                const double all = std::accumulate(squared.begin(), squared.end(), 0.0);
                const std::size_t top = std::min<std::size_t>(10, squared.size());
                std::partial_sort(squared.begin(), squared.begin() + std::ptrdiff_t(top), squared.end(), std::greater<float>());
                const double head = std::accumulate(squared.begin(), squared.begin() + std::ptrdiff_t(top), 0.0);
                concentration += all > 0.0 ? head / all : 0.0;
            }
        }
        p.logitConcentration = concentration / double(live.size());
    }
    return p;
}

const std::vector<InterpretabilityProxies::Description>& InterpretabilityProxies::descriptions()
{
    static const std::vector<Description> list = {
        {"token_explained_variance",
         "share of a feature's activation variance the current token alone explains; higher = more token-like "
         "features (random transformers' features tend to be token detectors), so higher is not better: compare it"},
        {"distinct_top_tokens",
         "different tokens at the strongest positions of the feature's top 10 examples; 1 = a single-token feature"},
        {"logit_concentration",
         "share of the squared direct logit effects in the 10 largest; higher = the feature pushes a few specific "
         "tokens (absent when the hook has no direct path to the logits)"},
        {"mean_density", "the live features' mean firing rate"},
        {"dead_fraction", "features never active in the scan"}};
    return list;
}

nlohmann::json InterpretabilityProxies::toJson() const
{
    nlohmann::json j = {{"live_features", liveFeatures},
                        {"dead_fraction", deadFraction},
                        {"token_explained_variance", tokenExplainedVariance},
                        {"distinct_top_tokens", distinctTopTokens},
                        {"mean_density", meanDensity}};
    j["logit_concentration"] = logitConcentration >= 0.0 ? nlohmann::json(logitConcentration) : nlohmann::json(nullptr);
    return j;
}

} // namespace featurescope
