#pragma once

#include "sae/SaeTrainer.h"

#include <nlohmann/json.hpp>

#include <string>

namespace featurescope {

// A training checkpoint on disk: one folder that is a complete SAELens SAE (cfg.json, sae_weights.safetensors and
// sparsity.safetensors, as SaeLensExporter writes them: SAELens and featurescope --sae load it as it is) plus the
// trainer's state, as SAELens's checkpoints add theirs:
//     trainer_state.json         step counts, input scale, θ, random-generator scalars, and the run's identity
//     trainer_state.safetensors  the raw parameters (the SAELens files fold the input scale in), Adam's moments,
//                                the random generators' words, per-latent activity, the loss histories
// Restoring into a trainer of the same configuration continues the run exactly (docs/SAE_RECIPES.md). Reading treats
// the folder as hostile: the JSON is size- and depth-limited, every tensor's dtype and shape is checked against what
// this trainer's configuration expects before anything is copied, and every problem is one InputError line naming
// the file.
class SaeCheckpoint {
public:
    static constexpr const char* kStateJson = "trainer_state.json";
    static constexpr const char* kStateTensors = "trainer_state.safetensors";

    // Writes the trainer's state after stepsDone() steps into `directory` (replaced if it exists; written to a
    // sibling folder first and renamed, so a crash leaves no half checkpoint). `identity` describes the run (its
    // configuration); restore() refuses a checkpoint of another run. `metadata` goes to cfg.json.
    static void write(const std::string& directory, const SaeTrainer& trainer, const nlohmann::json& identity,
                      const nlohmann::json& metadata = {});
    // Restores the checkpoint in `directory` into `trainer`, built with the configuration `identity` describes.
    static void restore(const std::string& directory, SaeTrainer& trainer, const nlohmann::json& identity);
    // The checkpoint folder of step `step` inside a --checkpoint-dir: "step_<step>".
    static std::string folderFor(const std::string& checkpointDirectory, int step);
    // `directory` when it holds a checkpoint, else its step_<N> subfolder with the largest N (what --resume DIR
    // means for a --checkpoint-dir); throws InputError when there is neither.
    static std::string resolve(const std::string& directory);
};

} // namespace featurescope
