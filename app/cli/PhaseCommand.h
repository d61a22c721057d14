#pragma once

#include "cli/CliCommand.h"

// `featurescope phase`: the n=2,m=1 or n=3,m=2 phase diagram, empirical grid beside the analytic regions.
class PhaseCommand : public CliCommand {
public:
    std::string name() const override { return "phase"; }
    std::string summary() const override { return "phase diagram (n=2,m=1 or n=3,m=2): empirical grid and analytic boundary"; }
    std::string usage() const override
    {
        // Placeholders only: the defaults are stated once, in the option list below, from the parser's own values.
        return "featurescope phase [--n 2|3] [--grid G] [--steps S] [--batch B] [--lr LR] [--seed SEED] "
               "[--restarts K] [--threads T] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
