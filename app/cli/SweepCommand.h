#pragma once

#include "cli/CliCommand.h"

// `featurescope sweep`: a sparsity sweep for the sticky-fraction plot (D* and D_i against 1/(1-S)).
class SweepCommand : public CliCommand {
public:
    std::string name() const override { return "sweep"; }
    std::string summary() const override { return "sparsity sweep: dimensions per feature and D_i (sticky fractions)"; }
    std::string usage() const override
    {
        return "featurescope sweep [--n 400 --m 30] [--instances 40] [--p-min 0.001] [--importance-decay 1] "
               "[--steps 10000] [--batch 1024] [--lr LR] [--seed SEED] [--threads T] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
