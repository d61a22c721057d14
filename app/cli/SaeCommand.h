#pragma once

#include "cli/CliCommand.h"

// `featurescope sae`: trains a sparse autoencoder on activations from a source and prints its quality metrics.
class SaeCommand : public CliCommand {
public:
    std::string name() const override { return "sae"; }
    std::string summary() const override { return "train a sparse autoencoder on activations; print its metrics"; }
    std::string usage() const override
    {
        return "featurescope sae [--source synthetic|toy|fashion-mnist] [--features F --d D] [--d-sae K] [--l1 L] "
               "[--k K] [--aux-k A] [--variant tm2023|2024|topk] [--steps S] [--batch B] [--lr LR] [--seed SEED] [--randomized] "
               "[--data-dir DIR] [--normalize on|off] [--path auto|dense|sparse] [--save DIR] [--json]\n"
               "       featurescope sae --source file --activations FILE [--array NAME] [--labels NAME] ... [--json]\n"
               "       featurescope sae --sae SAELENS_DIR --activations FILE [--array NAME] [--labels NAME] [--json]\n"
               "       featurescope sae --source lm --model DIR [--corpus PATH --hook NAME --tokens N]\n"
               "                        [--randomized shuffle|reinit|untrained] ... [--json]   (--source lm --help)";
    }
    int run(const std::vector<std::string>& arguments) override;
};
