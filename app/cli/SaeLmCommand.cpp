#include "cli/SaeLmCommand.h"

#include "cli/SaeCommand.h"
#include "common/InputError.h"
#include "lm/LanguageModel.h"
#include "lm/LmHarvester.h"
#include "lm/SpliceEvaluation.h"
#include "lm/TextCorpus.h"
#include "lmfeatures/FeatureDashboard.h"
#include "lmfeatures/InterpretabilityProxies.h"
#include "lmfeatures/LmControlExperiment.h"
#include "lmfeatures/TransformerRandomizer.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensExporter.h"
#include "sae/SaeLensLoader.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>

using namespace featurescope;
namespace fs = std::filesystem;

namespace {

// The options this command reads itself; everything else goes to `featurescope sae --source file`.
const std::map<std::string, std::string> kOwnOptions = {
    {"model", "model folder (Hugging Face GPT-2 layout), e.g. one written by `featurescope lm train`"},
    {"corpus", "text file or folder (default: the fortunes package's texts)"},
    {"hook", "the hook to harvest (default blocks.0.mlp.hook_post)"},
    {"tokens", "positions to harvest for training, in whole windows (default 65536)"},
    {"context", "window length in tokens, BOS included (default n_positions)"},
    {"eval-tokens", "held-out positions for the splice and the proxies (default 8192)"},
    {"randomized", "shuffle, reinit or untrained: harvest from that randomized copy of the model (the control)"},
    {"control-seed", "random seed of the randomized copy (default 1)"}};

struct TemporaryFolder {
    fs::path path;
    TemporaryFolder()
    {
        std::random_device device;
        path = fs::temp_directory_path() / ("featurescope-sae-lm-" + std::to_string(device()) + std::to_string(device()));
        fs::create_directories(path);
    }
    ~TemporaryFolder()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

} // namespace

bool SaeLmCommand::wants(const std::vector<std::string>& arguments)
{
    for (std::size_t i = 0; i < arguments.size(); ++i)
        if ((arguments[i] == "--source" && i + 1 < arguments.size() && arguments[i + 1] == "lm") ||
            arguments[i] == "--source=lm")
            return true;
    return false;
}

std::string SaeLmCommand::helpText()
{
    std::ostringstream s;
    s << "featurescope sae --source lm --model DIR [--corpus PATH --hook NAME --tokens N --context C --eval-tokens N]\n"
         "                 [--randomized shuffle|reinit|untrained [--keep-embeddings] [--control-seed S]] [SAE options] [--json]\n\n";
    for (const auto& [name, text] : kOwnOptions)
        s << "  --" << name << std::string(std::max<std::size_t>(2, 16 - name.size()), ' ') << text << "\n";
    s << "  --keep-embeddings  with --randomized: keep the trained token and position embeddings\n"
         "SAE options (--variant, --d-sae, --l1, --k, --steps, --batch, --lr, --seed, --threads, --save, ...) are those\n"
         "of `featurescope sae --source file`. The text is split: its last fifth (at most 1 MB) is held out.\n\n"
         "Added to the JSON: ce_clean, ce_sae, ce_ablated, ce_loss_score = (CE_ablated - CE_sae) / (CE_ablated - CE_clean),\n"
         "kl_score = (KL_ablated - KL_sae) / KL_ablated (the SAE spliced into the model it was trained on, randomized or\n"
         "not, on held-out text), and proxies{} of interpretability over the live features on held-out text:\n";
    for (const auto& proxy : InterpretabilityProxies::descriptions())
        s << "  " << proxy.key << ": " << proxy.text << "\n";
    s << "They are measured stand-ins: Towards Monosemanticity judged interpretability with human and model raters,\n"
         "which featurescope does not.\n";
    return s.str();
}

int SaeLmCommand::run(const std::vector<std::string>& arguments)
{
    std::map<std::string, std::string> own;
    bool keepEmbeddings = false, json = false, help = false;
    std::vector<std::string> passed{"--source", "file"};
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& a = arguments[i];
        if (a == "--source" && i + 1 < arguments.size()) {
            ++i;
            continue;
        }
        if (a == "--source=lm")
            continue;
        if (a == "--keep-embeddings") {
            keepEmbeddings = true;
            continue;
        }
        if (a == "--help" || a == "-h")
            help = true;
        if (a == "--json")
            json = true;
        if (a.rfind("--", 0) == 0 && kOwnOptions.count(a.substr(2))) {
            if (i + 1 >= arguments.size())
                throw InputError("option " + a + " needs a value");
            own[a.substr(2)] = arguments[++i];
            continue;
        }
        if (a == "--activations" || a == "--sae" || a == "--array" || a == "--labels")
            throw InputError(a + " does not apply to --source lm (the activations come from --model)");
        passed.push_back(a);
    }
    if (help) {
        std::cout << helpText();
        return 0;
    }
    if (!own.count("model"))
        throw InputError("--source lm needs --model DIR (a language-model folder)");
    if (keepEmbeddings && !own.count("randomized"))
        throw InputError("--keep-embeddings applies to --randomized");
    auto integer = [&](const std::string& name, long long fallback, long long low, long long high) {
        if (!own.count(name))
            return fallback;
        std::size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(own[name], &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != own[name].size() || v < low || v > high)
            throw InputError("option --" + name + " expects a whole number between " + std::to_string(low) + " and " +
                             std::to_string(high) + ", got '" + own[name] + "'");
        return v;
    };

    LanguageModel lm = LanguageModel::load(own["model"]);
    const GptConfig& config = lm.model().config();
    const GptHookPoint hook = GptHookPoint::parse(own.count("hook") ? own["hook"] : "blocks.0.mlp.hook_post", config.layers);
    const int context = int(integer("context", config.positions, 2, config.positions));
    const auto tokens = std::uint64_t(integer("tokens", 65536, context, 1ll << 28));
    const auto evalTokens = std::uint64_t(integer("eval-tokens", 8192, context, 1ll << 24));
    std::optional<TransformerRandomizer::Control> control;
    if (own.count("randomized")) {
        control = TransformerRandomizer::parse(own["randomized"]);
        TransformerRandomizer::apply(lm.model().weights(), *control, std::uint64_t(integer("control-seed", 1, 0, 1ll << 62)),
                                     keepEmbeddings);
    }
    const std::string text = TextCorpus::load(own.count("corpus") ? own["corpus"] : TextCorpus::kDefaultPath).text();
    const auto [trainingText, heldOutText] = LmControlExperiment::splitHeldOut(text);

    TemporaryFolder scratch;
    const std::string activations = (scratch.path / "activations.npz").string();
    HarvestSettings harvest;
    harvest.hook = hook.name();
    harvest.context = context;
    harvest.maxTokens = tokens;
    LmHarvester::run(lm, trainingText, harvest, activations);

    // The SAE trains exactly as `sae --source file` trains it; its JSON is captured and extended.
    bool userSave = false;
    for (std::size_t i = 0; i + 1 < passed.size(); ++i)
        userSave = userSave || passed[i] == "--save";
    const std::string saved = userSave ? std::string() : (scratch.path / "sae").string();
    passed.insert(passed.end(), {"--activations", activations});
    if (!userSave)
        passed.insert(passed.end(), {"--save", saved});
    if (!json)
        passed.push_back("--json");
    std::ostringstream captured;
    std::streambuf* original = std::cout.rdbuf(captured.rdbuf());
    int status = 0;
    try {
        status = SaeCommand().run(passed);
    } catch (...) {
        std::cout.rdbuf(original);
        throw;
    }
    std::cout.rdbuf(original);
    nlohmann::json out = nlohmann::json::parse(captured.str());
    if (status != 0 || !out.contains("saved")) {
        std::cout << out.dump(2) << "\n";
        return status != 0 ? status : 1;
    }
    const std::string saeFolder = out["saved"].get<std::string>();

    // The saved SAE names its hook and how its activations were taken (plain forward pass, BOS as harvested).
    const ImportedSae trained = SaeLensLoader::load(saeFolder);
    SaeLensConfig cfg = trained.config();
    cfg.hookName = hook.name();
    const bool bos = lm.tokenizer().bosId().has_value();
    const ImportedSae sae(cfg, trained.encoderWeights(), trained.encoderBias(), trained.decoderWeights(),
                          trained.decoderBias(), trained.threshold());
    const TransformerLensProcessing processing = [&] {
        TransformerLensProcessing p = TransformerLensProcessing::raw();
        p.prependBos = bos;
        return p;
    }();
    nlohmann::json metadata = trained.config().raw.value("metadata", nlohmann::json::object());
    metadata["prepend_bos"] = bos;
    metadata["model_from_pretrained_kwargs"] = {{"center_writing_weights", false}, {"fold_ln", false}};
    if (userSave)
        SaeLensExporter::write(saeFolder, sae, metadata);
    else
        out.erase("saved");

    std::vector<int> ids = lm.tokenizer().encode(heldOutText);
    if (ids.size() > evalTokens)
        ids.resize(std::size_t(evalTokens));
    const SpliceEvaluation::Replacement replace = [&sae](RowMatrixMap activation) {
        const Eigen::MatrixXf inputs = activation.transpose();
        activation = sae.reconstruct(inputs).transpose();
    };
    const SpliceScores s = SpliceEvaluation::evaluate(lm.model(), hook, replace, ids, context, 8, nullptr, processing,
                                                      lm.tokenizer().bosId());
    out["ce_clean"] = s.ceClean;
    out["ce_sae"] = s.ceSpliced;
    out["ce_ablated"] = s.ceAblated;
    out["ce_loss_score"] = s.ceLossScore;
    out["kl_score"] = s.klDivScore;
    FeatureDashboard dashboard(lm, sae, hook, processing);
    DashboardSettings scan;
    scan.context = context;
    scan.maxTokens = evalTokens;
    dashboard.scan(ids, scan);
    out["proxies"] = InterpretabilityProxies::measure(dashboard).toJson();
    out["lm"] = {{"model", own["model"]}, {"hook", hook.name()}, {"context", context}, {"tokens", tokens},
                 {"eval_tokens", dashboard.tokensScanned()}};
    out["randomized"] = control ? nlohmann::json(TransformerRandomizer::name(*control)) : nlohmann::json(nullptr);
    out["keep_embeddings"] = keepEmbeddings;
    out["source"] = "lm";
    out.erase("activations");
    if (json) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "SAE on " << hook.name() << " of " << own["model"]
              << (control ? " (randomized: " + TransformerRandomizer::name(*control) + ")" : std::string()) << "\n"
              << "  next-token loss clean " << s.ceClean << ", with the SAE " << s.ceSpliced << ", ablated " << s.ceAblated
              << "  ce_loss_score " << s.ceLossScore << "\n"
              << "  proxies " << out["proxies"].dump() << "\n";
    return 0;
}
