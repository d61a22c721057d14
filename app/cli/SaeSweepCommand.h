#pragma once

#include "cli/CliCommand.h"

// `featurescope sae-sweep`: the same SAE trained over a list of sparsity coefficients (--l1) or k values (--k), each
// with several seeds; prints per value the mean and standard deviation of L0, MSE, explained variance, dead
// fraction and (on synthetic data) the ground-truth scores, and which values lie on the L0-versus-MSE Pareto front.
class SaeSweepCommand : public CliCommand {
public:
    std::string name() const override { return "sae-sweep"; }
    std::string summary() const override { return "train one SAE recipe over several l1 or k values and seeds"; }
    std::string usage() const override
    {
        return "featurescope sae-sweep (--l1 A,B,C | --k A,B,C) [--seeds N] [any `sae` option but --sae, --save, "
               "--codes ...] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
