#pragma once

#include "cli/CliCommand.h"

// `featurescope phase`: the n=2,m=1 or n=3,m=2 phase diagram, empirical grid beside the analytic regions.
class PhaseCommand : public CliCommand {
public:
    std::string name() const override { return "phase"; }
    std::string summary() const override { return "phase diagram (n=2,m=1 or n=3,m=2): empirical grid and analytic boundary"; }
    std::string usage() const override
    {
        return "featurescope phase [--n 2|3] [--grid 12] [--steps 4000] [--batch 1024] [--lr LR] [--seed SEED] "
               "[--restarts 2] [--threads T] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
