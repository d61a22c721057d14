#pragma once

#include "lmfeatures/InterpretabilityProxies.h"
#include "lmfeatures/TransformerRandomizer.h"
#include "sae/SaeConfig.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace featurescope {

class LanguageModel;
class ProgressReporter;

// One arm of the randomized-transformer control: the model as trained, or a randomized copy of it.
struct LmControlArm {
    std::optional<TransformerRandomizer::Control> control; // none: the trained model
    std::uint64_t seed = 1;
    bool keepEmbeddings = false;
    std::string name() const; // "trained", "shuffle", "reinit" or "untrained"
};

struct LmControlSettings {
    std::string hook = "blocks.0.mlp.hook_post";
    int context = 0;                 // window length, BOS included (0: n_positions)
    std::uint64_t tokens = 65536;    // training positions, in whole windows
    std::uint64_t evalTokens = 8192; // held-out positions for the splice, the proxies, L0 and explained variance
    SaeConfig sae;                   // inputDim is set to the hook's width
    SaeTrainingConfig training;
};

// What one arm measured, all on held-out text (the corpus's last fifth).
struct LmControlResult {
    std::string arm;
    bool keepEmbeddings = false;
    double ceClean = 0.0, ceSae = 0.0, ceAblated = 0.0;
    double ceLossScore = 0.0, klScore = 0.0;
    InterpretabilityProxies proxies;
    double l0 = 0.0;
    double explainedVariance = 0.0;
    int trainingSteps = 0;
    double seconds = 0.0;

    nlohmann::json toJson() const;
    // Throws InputError with one line naming the bad key (sessions keep results this way).
    static LmControlResult fromJson(const nlohmann::json& j);
};

// The randomized-transformer control of SAE studies on language models, one arm or all four: harvest a hook's
// activations from the (randomized copy of the) model, train an SAE on them, splice it back in on held-out text
// and compare the interpretability proxies. A trained model's SAE should keep next-token loss far better than
// deleting the hook, and its features should differ from the controls' in the proxies.
class LmControlExperiment {
public:
    // Throws InputError for a hook the model does not have or a context longer than n_positions.
    LmControlExperiment(std::shared_ptr<const LanguageModel> lm, const std::string& corpusText, LmControlSettings settings);

    // Throws InputError (text too short for a window) or Cancelled through `progress`.
    LmControlResult run(const LmControlArm& arm, const ProgressReporter* progress = nullptr) const;
    // Trained, shuffle, reinit, untrained in that order, under one progress range.
    std::vector<LmControlResult> runAll(std::uint64_t seed = 1, bool keepEmbeddings = false,
                                        const ProgressReporter* progress = nullptr) const;
    static std::vector<LmControlArm> standardArms(std::uint64_t seed, bool keepEmbeddings);

    // The text split the CLI and this class share: (training, held out), the held-out part being the last fifth
    // (at most 1 MB).
    static std::pair<std::string, std::string> splitHeldOut(const std::string& text);

    const LmControlSettings& settings() const { return m_settings; }

private:
    std::shared_ptr<const LanguageModel> m_lm;
    LmControlSettings m_settings;
    std::vector<int> m_trainingIds, m_heldOutIds;
};

} // namespace featurescope
