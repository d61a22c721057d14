#pragma once

#include "cli/CliCommand.h"

// `featurescope dashboard`: SAE-Vis-style feature dashboards for an SAELens SAE on a language model's hook, as JSON
// (or a one-line summary per feature): density, max activation, top examples as token text with activations,
// quantile groups, direct logit effects, activation histogram, nearest and co-firing features.
class DashboardCommand : public CliCommand {
public:
    std::string name() const override { return "dashboard"; }
    std::string summary() const override { return "feature dashboards of an SAE on a language model (top examples, logits, ...)"; }
    std::string usage() const override
    {
        return "featurescope dashboard --model DIR --sae DIR --corpus PATH [--tokens N --context C --features 0,5,9]\n"
               "                              [--hook NAME --examples K --logits K --raw] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
