#include "cli/LmCommand.h"

#include "cli/ArgumentParser.h"
#include "cli/LmSpliceCommand.h"
#include "common/InputError.h"
#include "lm/ByteTokenizer.h"
#include "lm/GptGenerator.h"
#include "lm/GptHookPoint.h"
#include "lm/GptTrainer.h"
#include "lm/LanguageModel.h"
#include "lm/LmHarvester.h"
#include "lm/TextCorpus.h"
#include "lm/TransformerLensProcessing.h"
#include "lmfeatures/FeatureSteering.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensLoader.h"
#include "sae/SaeLensConfig.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace featurescope;

namespace {

void print(const nlohmann::json& out)
{
    // Token strings may hold parts of UTF-8 characters: replace what is not valid rather than fail.
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::string textArgument(const ArgumentParser& args)
{
    if (args.has("text") == args.has("text-file"))
        throw InputError("give exactly one of --text T and --text-file F");
    return args.has("text") ? args.text("text") : TextCorpus::load(args.text("text-file")).text();
}

std::vector<int> parseIds(const std::string& text)
{
    std::vector<int> ids;
    std::stringstream s(text);
    std::string item;
    while (std::getline(s, item, ',')) {
        std::size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size() || value < 0 || value > (1 << 30))
            throw InputError("option --ids expects comma-separated token ids, not '" + item + "'");
        ids.push_back(int(value));
        if (ids.size() > (1u << 20))
            throw InputError("option --ids: more than 1048576 ids");
    }
    if (ids.empty())
        throw InputError("option --ids is empty");
    return ids;
}

// An SAELens folder names its cfg.json; a file is taken as the cfg.json itself.
std::string saeConfigFile(const std::string& path)
{
    return std::filesystem::is_directory(path) ? (std::filesystem::path(path) / "cfg.json").string() : path;
}

nlohmann::json rows(const float* data, Eigen::Index count, Eigen::Index width, bool center)
{
    nlohmann::json out = nlohmann::json::array();
    std::vector<float> row(static_cast<std::size_t>(width));
    for (Eigen::Index r = 0; r < count; ++r) {
        const float* v = data + r * width;
        double mean = 0.0;
        if (center) {
            for (Eigen::Index i = 0; i < width; ++i)
                mean += v[i];
            mean /= double(width);
        }
        for (Eigen::Index i = 0; i < width; ++i)
            row[std::size_t(i)] = float(v[i] - mean);
        out.push_back(row);
    }
    return out;
}

int tokenize(const std::vector<std::string>& arguments)
{
    ArgumentParser args("lm tokenize", {{"model", true, "model folder (config.json, model.safetensors[, vocab.json, merges.txt])"},
                                        {"text", true, "the text"},
                                        {"text-file", true, "a file holding the text"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    if (!args.has("model"))
        throw InputError("lm tokenize needs --model DIR");
    // Only the tokenizer files are read: a folder with vocab.json and merges.txt alone is enough.
    const std::shared_ptr<const Tokenizer> tokenizer = LanguageModel::loadTokenizer(args.text("model"));
    const std::vector<int> ids = tokenizer->encode(textArgument(args));
    nlohmann::json tokens = nlohmann::json::array();
    for (const int id : ids)
        tokens.push_back(tokenizer->tokenBytes(id));
    if (args.flag("json")) {
        print({{"tokenizer", tokenizer->kind()}, {"ids", ids}, {"tokens", tokens}});
    } else {
        for (std::size_t i = 0; i < ids.size(); ++i)
            std::cout << ids[i] << "\t" << tokens[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return 0;
}

int runModel(const std::vector<std::string>& arguments)
{
    ArgumentParser args("lm run", {{"model", true, "model folder"},
                                   {"text", true, "text to tokenize and run"},
                                   {"ids", true, "comma-separated token ids to run"},
                                   {"prepend-bos", false, "put the tokenizer's BOS token (<|endoftext|>) first"},
                                   {"bf16", false, "linear layers in bfloat16 with float sums (AVX512_BF16 CPUs)"},
                                   {"hook", true, "also print this hook's activations (e.g. blocks.0.hook_resid_post)"},
                                   {"center", false, "subtract each hook vector's mean over its last axis"},
                                   {"fold-ln", false, "ln_final.hook_normalized before ln_f's gain and bias (TransformerLens fold_ln)"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    if (!args.has("model"))
        throw InputError("lm run needs --model DIR");
    if (args.has("text") == args.has("ids"))
        throw InputError("give exactly one of --text T and --ids 1,2,3");
    if ((args.flag("center") || args.flag("fold-ln")) && !args.has("hook"))
        throw InputError(std::string(args.flag("center") ? "--center" : "--fold-ln") + " applies to --hook NAME");
    LanguageModel lm = LanguageModel::load(args.text("model"));
    lm.model().setBf16(args.flag("bf16"));
    const GptModel& model = lm.model();
    std::vector<int> ids = args.has("ids") ? parseIds(args.text("ids")) : lm.tokenizer().encode(args.text("text"));
    if (args.flag("prepend-bos")) {
        if (!lm.tokenizer().bosId())
            throw InputError("--prepend-bos: this model's tokenizer (" + lm.tokenizer().kind() + ") has no BOS token");
        ids.insert(ids.begin(), *lm.tokenizer().bosId());
    }
    std::optional<GptHookPoint> point;
    if (args.has("hook"))
        point = GptHookPoint::parse(args.text("hook"), model.config().layers);
    RowMatrixF captured;
    GptHooks hooks;
    hooks.setFoldFinalNorm(args.flag("fold-ln"));
    if (point)
        hooks.add(*point, [&captured](RowMatrixMap activation, int, int) { captured = activation; });
    GptActivations out;
    const int tokens = int(ids.size());
    model.forward(ids.data(), 1, tokens, out, &hooks);
    nlohmann::json loss = nullptr;
    if (tokens > 1)
        loss = GptModel::crossEntropy(out.logits, GptModel::nextTokenTargets(ids.data(), 1, tokens));

    if (!args.flag("json")) {
        std::cout << "tokens " << tokens << "  loss " << (loss.is_null() ? std::string("-") : std::to_string(loss.get<double>()))
                  << "\n";
        for (int t = 0; t < tokens; ++t) {
            Eigen::Index best = 0;
            out.logits.row(t).maxCoeff(&best);
            std::cout << "position " << t << ": id " << ids[std::size_t(t)] << " -> most likely next " << best << "\n";
        }
        if (point)
            std::cout << "hook " << point->name() << ": [" << captured.rows() << ", " << captured.cols() << "]\n";
        return 0;
    }
    nlohmann::json j;
    j["ids"] = ids;
    j["precision"] = model.bf16() ? "bf16" : "fp32";
    j["logits"] = rows(out.logits.data(), out.logits.rows(), out.logits.cols(), false);
    j["loss"] = loss;
    if (point)
        j["hook"] = {{"name", point->name()},
                     {"centered", args.flag("center")},
                     {"fold_ln", args.flag("fold-ln")},
                     {"values", rows(captured.data(), captured.rows(), captured.cols(), args.flag("center"))}};
    print(j);
    return 0;
}

int evaluate(const std::vector<std::string>& arguments)
{
    ArgumentParser args("lm eval", {{"model", true, "model folder"},
                                    {"text-file", true, "text file (or folder) to evaluate on"},
                                    {"context", true, "window length in tokens (default n_positions)"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    if (!args.has("model") || !args.has("text-file"))
        throw InputError("lm eval needs --model DIR and --text-file F");
    const LanguageModel lm = LanguageModel::load(args.text("model"));
    const int context = int(args.integer("context", lm.model().config().positions, 1, lm.model().config().positions));
    const std::vector<int> ids = lm.tokenizer().encode(TextCorpus::load(args.text("text-file")).text());
    const auto [loss, count] = GptTrainer::evaluate(lm.model(), ids, context);
    if (args.flag("json"))
        print({{"loss", loss}, {"tokens", count}, {"context", context}});
    else
        std::cout << "loss " << std::setprecision(5) << loss << " nats/token over " << count << " tokens\n";
    return 0;
}

int train(const std::vector<std::string>& arguments)
{
    ArgumentParser args("lm train", {{"corpus", true, "text file or folder (default: the fortunes package's texts)"},
                                     {"layers", true, "layers (default 1)"},
                                     {"d-model", true, "residual width (default 128)"},
                                     {"heads", true, "attention heads (default 4)"},
                                     {"d-mlp", true, "MLP width (default 4 x d-model)"},
                                     {"context", true, "training window in tokens = n_positions (default 64)"},
                                     {"batch", true, "windows per step (default 32)"},
                                     {"steps", true, "optimizer steps (default 600)"},
                                     {"lr", true, "peak learning rate (default 1e-3)"},
                                     {"warmup", true, "warm-up steps (default a tenth of the steps, at most 100)"},
                                     {"schedule", true, "constant (default) or cosine decay to a tenth after warm-up"},
                                     {"clip", true, "gradient-norm clipping, 0 = off (default 1)"},
                                     {"seed", true, "random seed (default 0)"},
                                     {"threads", true, "threads splitting each batch (default 1)"},
                                     {"eval", true, "held-out text file: report its mean loss after training"},
                                     {"out", true, "folder to save the model in (Hugging Face GPT-2 layout)"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    if (!args.has("out"))
        throw InputError("lm train needs --out DIR (where the trained model is saved)");
    GptConfig config;
    config.layers = int(args.integer("layers", 1, 1, 48));
    config.width = int(args.integer("d-model", 128, 1, 4096));
    config.heads = int(args.integer("heads", 4, 1, 256));
    config.inner = int(args.integer("d-mlp", 4 * config.width, 1, 16384));
    config.positions = int(args.integer("context", 64, 1, 4096));
    config.vocabSize = 256;
    config.validate("lm train");
    GptTrainingSettings settings;
    settings.context = config.positions;
    settings.batch = int(args.integer("batch", 32, 1, 4096));
    settings.steps = int(args.integer("steps", 600, 1, 10'000'000));
    settings.learningRate = args.number("lr", 1e-3, 0.0, 10.0, true);
    settings.warmupSteps = int(args.integer("warmup", -1, 0, settings.steps));
    const std::string schedule = args.text("schedule", "constant");
    if (schedule != "cosine" && schedule != "constant")
        throw InputError("option --schedule expects cosine or constant");
    settings.cosine = schedule == "cosine";
    settings.clipNorm = args.number("clip", 1.0, 0.0, 1e6);
    settings.seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    settings.threads = int(args.integer("threads", 1, 1, 256));
    const ByteTokenizer bytes;
    const std::vector<int> tokens = bytes.encode(TextCorpus::load(args.text("corpus", TextCorpus::kDefaultPath)).text());
    std::optional<std::vector<int>> held;
    if (args.has("eval"))
        held = bytes.encode(TextCorpus::load(args.text("eval")).text());

    GptWeights weights(config);
    weights.initialize(settings.seed);
    GptModel model(std::move(weights));
    GptTrainer trainer(model, settings);
    const GptTrainingResult result = trainer.train(tokens);
    LanguageModel(std::move(model), std::make_shared<ByteTokenizer>()).save(args.text("out"));
    // Reload what was saved, so the held-out loss is that of the files a user gets.
    const LanguageModel saved = LanguageModel::load(args.text("out"));

    nlohmann::json out = {{"loss", result.loss},
                          {"steps", result.steps},
                          {"tokens_per_s", result.tokensPerSecond},
                          {"seconds", result.seconds},
                          {"parameters", config.parameterCount()},
                          {"corpus_tokens", tokens.size()},
                          {"out", args.text("out")},
                          {"threads", settings.threads},
                          {"diverged", result.diverged}};
    if (!result.message.empty())
        out["message"] = result.message;
    if (held)
        out["held_out_loss"] = GptTrainer::evaluate(saved.model(), *held, config.positions).first;
    if (args.flag("json"))
        print(out);
    else
        std::cout << "trained " << result.steps << " steps in " << std::setprecision(4) << result.seconds << " s ("
                  << result.tokensPerSecond << " tokens/s), loss " << result.loss
                  << (held ? ", held-out loss " + std::to_string(out["held_out_loss"].get<double>()) : std::string())
                  << (result.message.empty() ? "" : "\n" + result.message) << "\n";
    if (result.diverged)
        std::cerr << "featurescope lm train: " << result.message << "\n";
    return result.diverged ? 1 : 0;
}

int generate(const std::vector<std::string>& arguments)
{
    ArgumentParser args("lm generate", {{"model", true, "model folder"},
                                        {"prompt", true, "the text to continue"},
                                        {"tokens", true, "tokens to generate (default 50)"},
                                        {"temperature", true, "0 = greedy (default); > 0 samples"},
                                        {"top-k", true, "sample among the k most likely tokens (default all)"},
                                        {"seed", true, "random seed of sampling (default 0)"},
                                        {"steer", true, "SAE_DIR:FEATURE:STRENGTH - add STRENGTH x the feature's decoder "
                                                        "direction at the SAE's hook, every position and step"},
                                        {"clamp", false, "with --steer: hold the feature's code at STRENGTH instead"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    if (!args.has("model") || !args.has("prompt"))
        throw InputError("lm generate needs --model DIR and --prompt T");
    const LanguageModel lm = LanguageModel::load(args.text("model"));
    GptSampling sampling;
    sampling.temperature = args.number("temperature", 0.0, 0.0, 100.0);
    sampling.topK = int(args.integer("top-k", 0, 0, lm.model().config().vocabSize));
    sampling.seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    const int count = int(args.integer("tokens", 50, 0, 100000));
    const std::vector<int> prompt = lm.tokenizer().encode(args.text("prompt"));
    if (args.flag("clamp") && !args.has("steer"))
        throw InputError("--clamp applies to --steer SAE_DIR:FEATURE:STRENGTH");
    if (!args.has("steer")) {
        const std::vector<int> ids = GptGenerator::generate(lm.model(), prompt, count, sampling);
        const std::string text = lm.tokenizer().decode(ids);
        if (args.flag("json"))
            print({{"prompt_ids", prompt}, {"ids", ids}, {"text", text}});
        else
            std::cout << args.text("prompt") << text << "\n";
        return 0;
    }
    // SAE_DIR:FEATURE:STRENGTH, split at the last two colons (a folder name may hold one).
    const std::string steer = args.text("steer");
    const std::size_t second = steer.rfind(':');
    const std::size_t first = second == std::string::npos || second == 0 ? std::string::npos : steer.rfind(':', second - 1);
    if (first == std::string::npos || first == 0)
        throw InputError("option --steer: expected SAE_DIR:FEATURE:STRENGTH, got '" + steer + "'");
    const std::string saeDir = steer.substr(0, first);
    const ImportedSae sae = SaeLensLoader::load(saeDir);
    const std::vector<int> feature = parseIds(steer.substr(first + 1, second - first - 1));
    double strength = 0.0;
    std::size_t used = 0;
    try {
        strength = std::stod(steer.substr(second + 1), &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != steer.size() - second - 1 || !std::isfinite(strength))
        throw InputError("option --steer: '" + steer.substr(second + 1) + "' is not a strength");
    if (feature.size() != 1)
        throw InputError("option --steer: give one feature index");
    if (sae.config().hookName.empty())
        throw InputError(saeDir + ": cfg.json names no hook_name to steer at");
    const GptHookPoint point = GptHookPoint::parse(sae.config().hookName, lm.model().config().layers);
    if (point.width(lm.model().config()) != sae.inputDim())
        throw InputError("the SAE reads " + std::to_string(sae.inputDim()) + " values but " + point.name() + " has " +
                         std::to_string(point.width(lm.model().config())));
    GptHooks hooks;
    TransformerLensProcessing::fromSaeLensConfig(sae.config().raw, saeDir + "/cfg.json").applyTo(hooks);
    const FeatureSteering steering(sae, feature[0], float(strength), args.flag("clamp"));
    steering.install(hooks, point);
    const std::vector<int> plain = GptGenerator::generate(lm.model(), prompt, count, sampling);
    const std::vector<int> steered = GptGenerator::generate(lm.model(), prompt, count, sampling, &hooks);
    if (args.flag("json")) {
        print({{"prompt_ids", prompt},
               {"ids", steered},
               {"text", lm.tokenizer().decode(steered)},
               {"unsteered_ids", plain},
               {"unsteered_text", lm.tokenizer().decode(plain)},
               {"steer", {{"hook", point.name()}, {"feature", feature[0]}, {"strength", strength}, {"clamp", args.flag("clamp")}}}});
    } else {
        std::cout << "steered:   " << args.text("prompt") << lm.tokenizer().decode(steered) << "\n"
                  << "unsteered: " << args.text("prompt") << lm.tokenizer().decode(plain) << "\n";
    }
    return 0;
}

int harvest(const std::vector<std::string>& arguments)
{
    ArgumentParser args("lm harvest", {{"model", true, "model folder"},
                                       {"corpus", true, "text file or folder"},
                                       {"hook", true, "the hook to record (e.g. blocks.0.mlp.hook_post)"},
                                       {"tokens", true, "rows to record at most, in whole windows (default 100000)"},
                                       {"context", true, "window length in tokens, BOS included (default n_positions)"},
                                       {"no-bos", false, "do not put the tokenizer's BOS token first in each window"},
                                       {"center", false, "subtract each vector's mean over its last axis"},
                                       {"fold-ln", false, "ln_final.hook_normalized before ln_f's gain and bias (TransformerLens fold_ln)"},
                                       {"sae-config", true, "take BOS, centring and fold_ln from this SAELens folder's cfg.json "
                                                            "(prepend_bos, model_from_pretrained_kwargs)"},
                                       {"out", true, "the .npz to write (acts, tokens, token_ids, sequence_ids)"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    if (!args.has("model") || !args.has("corpus") || !args.has("hook") || !args.has("out"))
        throw InputError("lm harvest needs --model DIR, --corpus PATH, --hook NAME and --out FILE.npz");
    const LanguageModel lm = LanguageModel::load(args.text("model"));
    HarvestSettings settings;
    settings.hook = args.text("hook");
    settings.context = int(args.integer("context", 0, 1, lm.model().config().positions));
    settings.maxTokens = std::uint64_t(args.integer("tokens", 100000, 1, 1ll << 32));
    settings.prependBos = !args.flag("no-bos");
    settings.center = args.flag("center");
    settings.foldLn = args.flag("fold-ln");
    if (args.has("sae-config")) {
        if (args.flag("no-bos") || args.flag("center") || args.flag("fold-ln"))
            throw InputError("--sae-config decides BOS, centring and fold_ln: drop --no-bos, --center and --fold-ln");
        const TransformerLensProcessing p = TransformerLensProcessing::fromSaeLensConfig(
            SaeLensConfig::read(saeConfigFile(args.text("sae-config"))).raw, args.text("sae-config"));
        settings.prependBos = p.prependBos;
        // TransformerLens centres the weights that write to the residual stream, so only those hooks change.
        settings.center = p.centerWritingWeights && GptHookPoint::parse(settings.hook, lm.model().config().layers).writesResidual();
        settings.foldLn = p.foldLn;
    }
    const auto start = std::chrono::steady_clock::now();
    const HarvestResult r = LmHarvester::run(lm, TextCorpus::load(args.text("corpus")).text(), settings, args.text("out"));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (args.flag("json"))
        print({{"out", args.text("out")}, {"rows", r.rows}, {"sequences", r.sequences}, {"width", r.width},
               {"seconds", seconds}, {"prepend_bos", settings.prependBos && lm.tokenizer().bosId().has_value()}, {"centered", settings.center},
               {"fold_ln", settings.foldLn}});
    else
        std::cout << "wrote " << r.rows << " x " << r.width << " activations of " << settings.hook << " ("
                  << r.sequences << " windows) to " << args.text("out") << "\n";
    return 0;
}

} // namespace

int LmCommand::run(const std::vector<std::string>& arguments)
{
    const std::string sub = arguments.empty() ? std::string() : arguments.front();
    const std::vector<std::string> rest(arguments.begin() + (arguments.empty() ? 0 : 1), arguments.end());
    if (sub == "tokenize")
        return tokenize(rest);
    if (sub == "run")
        return runModel(rest);
    if (sub == "eval")
        return evaluate(rest);
    if (sub == "train")
        return train(rest);
    if (sub == "generate")
        return generate(rest);
    if (sub == "harvest")
        return harvest(rest);
    if (sub == "splice")
        return LmSpliceCommand::run(rest);
    if (sub == "--help")
        return 0; // the dispatcher has printed the usage
    if (sub.empty())
        throw InputError("missing subcommand (expected tokenize, run, eval, train, generate, harvest or splice; see featurescope lm --help)");
    throw InputError("unknown subcommand '" + sub + "' (expected tokenize, run, eval, train, generate, harvest or splice)");
}
