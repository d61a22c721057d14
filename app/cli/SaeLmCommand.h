#pragma once

#include <string>
#include <vector>

// `featurescope sae --source lm`: an SAE trained on a language model's activations, then judged on the model:
// the hook's activations over a corpus are harvested (optionally from a randomized copy of the model: shuffled,
// re-drawn or untrained weights), the SAE trains on them with every option of `featurescope sae --source file`,
// and on held-out text it is spliced into the model (ce_loss_score, kl_score) and its features measured by
// interpretability proxies. One JSON with the SAE's own keys plus those.
class SaeLmCommand {
public:
    static bool wants(const std::vector<std::string>& arguments); // true for --source lm
    static int run(const std::vector<std::string>& arguments);
    static std::string helpText();
};
