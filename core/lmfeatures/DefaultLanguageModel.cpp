#include "lmfeatures/DefaultLanguageModel.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "lm/ByteTokenizer.h"
#include "lm/GptTrainer.h"
#include "lm/LanguageModel.h"
#include "lm/LmHarvester.h"
#include "lm/TextCorpus.h"
#include "sae/ImportedSae.h"
#include "sae/MatrixActivationSource.h"
#include "sae/SaeLensExporter.h"
#include "sae/SaeTrainer.h"

#include <filesystem>
#include <memory>
#include <optional>

namespace featurescope {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHook = "blocks.0.mlp.hook_post";

// Writes into `target` through `write(temporary)` and a rename, so the folder is either whole or absent.
template <class Write>
void writeAtomically(const fs::path& target, Write write)
{
    const fs::path temporary = target.string() + ".partial";
    std::error_code ec;
    fs::remove_all(temporary, ec);
    fs::create_directories(temporary, ec);
    if (ec)
        throw InputError(target.parent_path().string() + ": cannot write the default language model there (" +
                         ec.message() + ")");
    try {
        write(temporary.string());
    } catch (...) {
        fs::remove_all(temporary, ec);
        throw;
    }
    fs::remove_all(target, ec);
    fs::rename(temporary, target, ec);
    if (ec)
        throw InputError(target.string() + ": cannot put the trained files in place (" + ec.message() + ")");
}

} // namespace

DefaultLanguageModel::Paths DefaultLanguageModel::paths(const std::string& cacheFolder)
{
    return {(fs::path(cacheFolder) / "model").string(), (fs::path(cacheFolder) / "sae").string()};
}

bool DefaultLanguageModel::ready(const std::string& cacheFolder)
{
    const Paths p = paths(cacheFolder);
    std::error_code ec;
    return fs::is_regular_file(fs::path(p.model) / "config.json", ec) &&
           fs::is_regular_file(fs::path(p.model) / "model.safetensors", ec) &&
           fs::is_regular_file(fs::path(p.sae) / "cfg.json", ec) &&
           fs::is_regular_file(fs::path(p.sae) / "sae_weights.safetensors", ec);
}

DefaultLanguageModel::Paths DefaultLanguageModel::ensure(const std::string& cacheFolder, const std::string& corpus,
                                                         int threads, const ProgressReporter* progress, const Recipe& recipe)
{
    const Paths p = paths(cacheFolder);
    std::error_code ec;
    fs::create_directories(cacheFolder, ec);
    if (ec)
        throw InputError(cacheFolder + ": cannot create the cache folder (" + ec.message() + ")");
    const bool haveModel = fs::is_regular_file(fs::path(p.model) / "model.safetensors", ec);
    const std::string text = TextCorpus::load(corpus.empty() ? TextCorpus::kDefaultPath : corpus).text();

    // 1. The byte model (0 - 40 % of the progress).
    if (!haveModel) {
        std::optional<ProgressReporter> stage;
        if (progress)
            stage.emplace(*progress, 0.0, 0.4);
        writeAtomically(p.model, [&](const std::string& folder) {
            GptConfig config;
            GptWeights weights(config);
            weights.initialize(1);
            GptModel model(std::move(weights));
            GptTrainingSettings settings;
            settings.threads = std::max(1, threads);
            settings.steps = recipe.modelSteps;
            GptTrainer trainer(model, settings);
            const ByteTokenizer bytes;
            trainer.train(bytes.encode(text), stage ? &*stage : nullptr);
            if (progress && progress->isCancelled())
                throw Cancelled(); // nothing half-trained is kept
            LanguageModel(std::move(model), std::make_shared<ByteTokenizer>()).save(folder);
        });
    }

    // 2. The SAE on the model's MLP (40 - 100 %): harvest into memory, train, write in SAELens's layout.
    if (!fs::is_regular_file(fs::path(p.sae) / "sae_weights.safetensors", ec)) {
        const LanguageModel lm = LanguageModel::load(p.model);
        const GptHookPoint hook = GptHookPoint::parse(kHook, lm.model().config().layers);
        const int context = lm.model().config().positions;
        const std::vector<int> ids = lm.tokenizer().encode(text);
        if (ids.size() < std::size_t(context) || recipe.positions < context)
            throw InputError(corpus + ": the corpus is too short for the default SAE");
        std::optional<ProgressReporter> harvestStage;
        if (progress)
            harvestStage.emplace(*progress, 0.4, 0.45);
        EvaluationSet data;
        data.activations = LmHarvester::collect(lm, ids, hook, context, std::uint64_t(recipe.positions), false,
                                                harvestStage ? &*harvestStage : nullptr);
        const int width = int(data.activations.rows());
        const MatrixActivationSource source(std::move(data), "default-lm");
        SaeConfig config;
        config.inputDim = width;
        config.latentDim = recipe.latents;
        config.normalizeInputs = true;
        SaeTrainingConfig training;
        training.steps = recipe.saeSteps;
        training.threads = std::max(1, threads);
        SaeTrainer trainer(config, training, source);
        std::optional<ProgressReporter> stage;
        if (progress)
            stage.emplace(*progress, 0.45, 1.0);
        trainer.run(stage ? &*stage : nullptr);
        if (progress && progress->isCancelled())
            throw Cancelled();
        writeAtomically(p.sae, [&](const std::string& folder) {
            const nlohmann::json metadata = {{"hook_name", kHook},
                                             {"prepend_bos", false},
                                             {"model_from_pretrained_kwargs", {{"center_writing_weights", false}, {"fold_ln", false}}},
                                             {"featurescope", {{"default_language_model", true}}}};
            SaeLensExporter::write(folder, trainer.autoencoder(), metadata);
        });
    }
    if (progress)
        progress->report(1.0, "default language model ready");
    return p;
}

} // namespace featurescope
