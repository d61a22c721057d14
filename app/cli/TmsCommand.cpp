#include "cli/TmsCommand.h"

#include "cli/ToyOptions.h"
#include "common/InputError.h"
#include "toy/ToyModelFile.h"
#include "toy/ToyModelReport.h"
#include "toy/ToyTrainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

int TmsCommand::run(const std::vector<std::string>& arguments)
{
    const ToyOptions::Defaults defaults; // n=5, m=2, one shared probability 0.05, 10000 steps
    auto options = ToyOptions::modelOptions(defaults);
    for (auto& o : ToyOptions::trainingOptions(defaults))
        options.push_back(o);
    options.push_back({"save", true, "write the trained weights to FILE.safetensors"});
    options.push_back({"save-diverged", false, "--save even when training diverged (not saved by default)"});
    ArgumentParser args("tms", options);
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    const auto model = ToyOptions::modelConfig(args, defaults);
    const auto training = ToyOptions::trainingConfig(args, defaults);
    training.validate(model.features, model.hidden, model.instances());
    const std::string savePath = args.text("save");
    if (args.has("save") && savePath.empty())
        throw featurescope::InputError("--save needs a file name (FILE.safetensors)");
    if (!savePath.empty()) {
        // Fail before training, not after, when the file cannot be written.
        const auto parent = std::filesystem::absolute(savePath).parent_path();
        std::error_code error;
        if (!std::filesystem::is_directory(parent, error))
            throw featurescope::InputError(savePath + ": cannot write the file (folder " + parent.string() +
                                           " not found)");
    }

    const auto start = std::chrono::steady_clock::now();
    const auto result = featurescope::ToyTrainer::train(model, training);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto report = featurescope::toyTrainingReport(result, seconds);
    const bool diverged = result.status == featurescope::TrainingStatus::Diverged ||
                          !std::all_of(result.finalLoss.begin(), result.finalLoss.end(), [](double v) { return std::isfinite(v); });
    const bool save = !savePath.empty() && (!diverged || args.flag("save-diverged"));
    if (save) {
        featurescope::ToyModelFile::write(savePath, result.model, &training);
        report["saved"] = savePath;
    }
    if (args.flag("json")) {
        std::cout << report.dump(2) << "\n";
    } else {
        std::printf("trained %d instance(s) of n=%d m=%d %s for %d steps in %.2f s (%.0f steps/s)\n",
                    model.instances(), model.features, model.hidden,
                    featurescope::toyModelKindName(model.kind).c_str(), result.stepsDone, seconds,
                    report["steps_per_s"].get<double>());
        for (const auto& inst : report["instances"]) {
            std::printf("  p=%-8.4g loss=%-10.5g features/dim=%-6.3f geometry:", inst["feature_probability"].get<double>(),
                        inst["loss"].get<double>(), inst["features_per_dimension"].get<double>());
            for (const auto& c : inst["geometry"])
                std::printf(" %s", c["kind"].get<std::string>().c_str());
            std::printf("\n");
        }
    }
    if (save && !args.flag("json"))
        std::printf("saved the weights to %s\n", savePath.c_str());
    const std::string message = !result.message.empty() ? result.message
                                : diverged             ? std::string("training diverged: a loss is NaN or infinite")
                                                       : std::string();
    if (!message.empty())
        std::cerr << "featurescope tms: " << message
                  << (diverged && !savePath.empty() && !save ? "; nothing saved (--save-diverged saves anyway)" : "")
                  << "\n";
    return diverged ? 1 : 0;
}
