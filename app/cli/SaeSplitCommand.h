#pragma once

#include "cli/CliCommand.h"

// `featurescope sae-split`: feature splitting. The same SAE recipe trained at 1x, 2x, 4x, 8x (--widths) of --d-sae on
// the same data and seed; each latent of a wider SAE is linked to the latent of the next narrower one with the
// closest decoder direction (cosine). Prints per width the metrics and which latents split into several.
class SaeSplitCommand : public CliCommand {
public:
    std::string name() const override { return "sae-split"; }
    std::string summary() const override { return "train one SAE recipe at 1x, 2x, 4x, 8x width and link its features"; }
    std::string usage() const override
    {
        return "featurescope sae-split [--widths 1,2,4,8] [any `sae` option but --sae, --save, --codes ...] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
