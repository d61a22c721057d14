#pragma once

#include "cli/CliCommand.h"

// `featurescope scale`: the scale-invariance lab (docs/ARCHITECTURE.md §4). Scales a model's weight matrix W by each c and prints
// per c the features per dimension ||cW||_F^2 / m, the per-feature dimensionality D_i, and what the model does with
// the scaled weights: test accuracy, unchanged predictions and the softmax change (bias-free Fashion-MNIST MLP,
// first layer scaled), or the reconstruction loss on a fixed batch (toy models; untied: encoder x c, decoder / c).
class ScaleCommand : public CliCommand {
public:
    std::string name() const override { return "scale"; }
    std::string summary() const override { return "scale-invariance lab: features per dimension vs D_i under W -> cW"; }
    std::string usage() const override
    {
        return "featurescope scale [--model toy|toy-untied|fashion-mlp|file] [--scales 0.25,0.5,1,2,4] "
               "[--steps S] [--epochs E] [--data-dir DIR] [--seed SEED] "
               "[--weights FILE.safetensors --tensor NAME [--transpose]] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
