#pragma once

#include "sae/ImportedSae.h"

#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

// Loads an SAELens SAE directory: cfg.json (v6 or pre-6 layout, see SaeLensConfig) + sae_weights.safetensors
// (W_enc [d_in, d_sae], W_dec [d_sae, d_in], b_enc [d_sae], b_dec [d_in], threshold [d_sae] for jumprelu, or
// log_threshold, which SAELens converts with exp; pre-6 finetuning_scaling_factor / scaling_factor [d_sae]) +
// optional sparsity.safetensors (sparsity [d_sae], log10 firing frequency). Weights may be F32, F16, BF16 or F64 and
// are converted to float. Every shape is checked against cfg.json; every problem throws InputError with one line
// naming the file. Safe to call from a worker thread: it polls `progress` (Cancelled) and reports the fraction.
class SaeLensLoader {
public:
    static ImportedSae load(const std::string& directory, const ProgressReporter* progress = nullptr);
    // The files of a directory that load() reads (for a checksum of what a session used).
    static std::vector<std::string> folderFiles() { return {"cfg.json", "sae_weights.safetensors", "sparsity.safetensors"}; }
};

} // namespace featurescope
