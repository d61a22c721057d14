#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace featurescope {

class FeatureDashboard;

// Measured stand-ins for "how interpretable are these features", for comparing an SAE on a trained transformer
// with the same SAE on randomized controls. They are proxies, not judgements: Towards Monosemanticity rated
// interpretability with human and model raters, which featurescope does not do. Each is averaged over the
// features active at least once in the scan (the live ones):
//  - token_explained_variance: the share of a feature's activation variance over all scanned positions that the
//    current token alone explains (1 − within-token / total sum of squares). High means the feature mostly tracks
//    which token is there - what a random transformer's features tend to do (Heap et al. 2025), so higher is
//    not better here: compare it between trained and control;
//  - distinct_top_tokens: how many different tokens sit at the strongest positions of the feature's top 10
//    examples (1 = a single-token feature);
//  - logit_concentration: the share of the squared direct logit effects carried by the 10 largest (higher = the
//    feature pushes a few specific tokens); absent when the hook has no direct path to the logits;
//  - mean_density: the live features' mean firing rate; dead_fraction: features never active in the scan.
struct InterpretabilityProxies {
    int liveFeatures = 0;
    double deadFraction = 0.0;
    double tokenExplainedVariance = 0.0;
    double distinctTopTokens = 0.0;
    double logitConcentration = -1.0; // < 0: not available
    double meanDensity = 0.0;

    static InterpretabilityProxies measure(const FeatureDashboard& dashboard);
    nlohmann::json toJson() const;

    // One line per proxy for help texts and tooltips: its toJson() key and what it means, which way it points.
    struct Description {
        std::string key;
        std::string text;
    };
    static const std::vector<Description>& descriptions();
};

} // namespace featurescope
