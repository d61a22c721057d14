#pragma once

#include "sae/ImportedSae.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace featurescope {

// Writes an SAE as an SAELens (v6) directory that `SAE.load_from_disk(dir)` loads: cfg.json (architecture, d_in,
// d_sae, dtype float32, apply_b_dec_to_input, normalize_activations, k for topk, metadata{sae_lens_version 6.0.0,
// hook_name, model_name, plus `metadata`}), sae_weights.safetensors (F32 W_enc [d_in, d_sae], W_dec [d_sae, d_in],
// b_enc, b_dec, threshold for jumprelu) and, when feature densities are given, sparsity.safetensors (sparsity =
// log10(density + 1e-10), as SAELens computes it). Each file is written atomically; the folder is created.
// Throws InputError on a write error or an SAE SAELens 6 cannot express (pre-6 tanh-relu or finetuning factor).
class SaeLensExporter {
public:
    static void write(const std::string& directory, const ImportedSae& sae,
                      const nlohmann::json& metadata = nlohmann::json::object(),
                      const std::vector<double>& densities = {});
    // One of our autoencoders (its input scale folded into the weights; see ImportedSae::fromSparseAutoencoder).
    static void write(const std::string& directory, const SparseAutoencoder& sae,
                      const nlohmann::json& metadata = nlohmann::json::object(),
                      const std::vector<double>& densities = {});
};

} // namespace featurescope
