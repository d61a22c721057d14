#pragma once

#include <string>

namespace featurescope {

class ProgressReporter;

// How much training the default language model gets; the defaults are the ones below (tests use less).
struct DefaultLanguageModelRecipe {
    int modelSteps = 600;
    int saeSteps = 2000;
    int latents = 1024;
    int positions = 65536; // harvested for the SAE
};

// The language model and SAE a fresh installation shows: the default 1-layer byte model (d_model 128, 4 heads,
// MLP 512, context 64) trained on a corpus (the fortunes package by default) for 600 steps, and a 1024-latent
// SAE (Towards Monosemanticity recipe) trained on its blocks.0.mlp.hook_post over 65 536 positions. Both are kept
// in a cache folder (model/ and sae/ in the layouts featurescope reads and SAELens writes), so only the first start
// pays for training (about two minutes on two cores); later starts find them. Each part is written to a
// temporary folder and renamed into place, so a cancelled or crashed run never leaves half a model.
class DefaultLanguageModel {
public:
    struct Paths {
        std::string model; // <cache>/model
        std::string sae;   // <cache>/sae
    };

    using Recipe = DefaultLanguageModelRecipe;

    static Paths paths(const std::string& cacheFolder);
    // True when both folders hold what loading needs.
    static bool ready(const std::string& cacheFolder);
    // Trains whatever is missing (progress: model then SAE), then returns the paths. Throws InputError (unreadable
    // corpus, unwritable cache) or Cancelled. `threads` > 1 splits each batch across threads.
    static Paths ensure(const std::string& cacheFolder, const std::string& corpus, int threads = 1,
                        const ProgressReporter* progress = nullptr, const Recipe& recipe = Recipe());
};

} // namespace featurescope
