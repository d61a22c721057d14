#pragma once

#include "cli/CliCommand.h"

// `featurescope sweep`: a sparsity sweep for the sticky-fraction plot (D* and D_i against 1/(1-S)).
class SweepCommand : public CliCommand {
public:
    std::string name() const override { return "sweep"; }
    std::string summary() const override { return "sparsity sweep: dimensions per feature and D_i (sticky fractions)"; }
    std::string usage() const override
    {
        // Placeholders only: the defaults are stated once, in the option list below, from the parser's own values.
        return "featurescope sweep [--n N --m M] [--instances K] [--p-min P] [--importance-decay R] [--steps S] "
               "[--batch B] [--lr LR] [--seed SEED] [--threads T] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
