#pragma once

#include <string>
#include <vector>

// `featurescope lm splice`: an SAE's quality on the model itself (SAEBench's core metrics). The SAE's
// reconstruction replaces the activation at its hook while the model reads a text; the next-token loss clean, spliced
// and zero-ablated, ce_loss_score and the KL-divergence score are printed (JSON with --json).
class LmSpliceCommand {
public:
    static int run(const std::vector<std::string>& arguments);
};
