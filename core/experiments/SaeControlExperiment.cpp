#include "experiments/SaeControlExperiment.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/SaeExperiment.h"

namespace featurescope {

ControlComparison SaeControlExperiment::run(const SaeExperimentConfig& config, SaeSourceFactory& sources,
                                            const ProgressReporter& progress)
{
    if (config.source != SaeExperimentConfig::Source::FashionMnist)
        throw InputError("the randomized-weights control needs the Fashion-MNIST source (an MLP to shuffle)");
    ControlComparison result;
    result.latentDim = config.sae.latentDim;
    result.steps = config.training.steps;
    result.topK = SaeEvaluationOptions{}.topK;
    ControlComparison::Side* sides[2] = {&result.trained, &result.shuffled};
    const char* names[2] = {"trained MLP", "shuffled weights"};
    for (int k = 0; k < 2; ++k) {
        SaeExperimentConfig side = config;
        side.randomized = k == 1;
        const SaeRunResult run = SaeExperiment::train(side, sources, ProgressReporter(progress, 0.5 * k, 0.5 * (k + 1)));
        if (run.status == TrainingStatus::Cancelled)
            throw Cancelled();
        if (run.status == TrainingStatus::Diverged)
            throw InputError(std::string("the SAE on the ") + names[k] + " diverged: " + run.message);
        ControlComparison::Side& out = *sides[k];
        out.name = names[k];
        out.accuracy = run.source.facts.value("mlp_test_accuracy", 0.0);
        out.metrics = run.evaluator->metrics();
        out.densities = run.evaluator->densities();
        for (double p : run.evaluator->labelPurities())
            if (p >= 0.0)
                out.purities.push_back(p);
        for (double c : run.evaluator->coherences())
            if (c >= -0.5)
                out.coherences.push_back(c);
    }
    progress.report(1.0, "Control ready");
    return result;
}

} // namespace featurescope
