#include "lm/LanguageModel.h"

#include "common/InputError.h"
#include "lm/BpeTokenizer.h"
#include "lm/ByteTokenizer.h"

#include <filesystem>

namespace featurescope {

namespace fs = std::filesystem;

LanguageModel::LanguageModel(GptModel model, std::shared_ptr<const Tokenizer> tokenizer)
    : m_model(std::move(model)), m_tokenizer(std::move(tokenizer))
{
}

LanguageModel LanguageModel::load(const std::string& folder, const ProgressReporter* progress)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw InputError(folder + ": not a folder (a model folder holds config.json and model.safetensors)");
    const fs::path dir(folder);
    const std::string configPath = (dir / "config.json").string();
    const std::string weightsPath = (dir / "model.safetensors").string();
    if (!fs::exists(configPath, ec))
        throw InputError(folder + ": no config.json (not a Hugging Face GPT-2 folder)");
    if (!fs::exists(weightsPath, ec))
        throw InputError(folder + ": no model.safetensors (PyTorch .bin weights are not read)");
    const GptConfig config = GptConfig::read(configPath);

    std::shared_ptr<const Tokenizer> tokenizer = loadTokenizer(folder);
    const bool hasVocab = tokenizer->kind() != "bytes";
    if (hasVocab && tokenizer->vocabSize() > config.vocabSize)
        throw InputError(folder + ": vocab.json has " + std::to_string(tokenizer->vocabSize()) +
                         " tokens but config.json's vocab_size is " + std::to_string(config.vocabSize));
    return LanguageModel(GptModel(GptWeights::load(weightsPath, config, progress)), std::move(tokenizer));
}

std::shared_ptr<const Tokenizer> LanguageModel::loadTokenizer(const std::string& folder)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw InputError(folder + ": not a folder");
    const fs::path dir(folder);
    const bool hasVocab = fs::exists(dir / "vocab.json", ec), hasMerges = fs::exists(dir / "merges.txt", ec);
    if (hasVocab != hasMerges)
        throw InputError(folder + ": has " + (hasVocab ? "vocab.json but no merges.txt" : "merges.txt but no vocab.json") +
                         " (GPT-2's tokenizer needs both)");
    if (!hasVocab)
        return std::make_shared<ByteTokenizer>();
    return std::make_shared<BpeTokenizer>(BpeTokenizer::load((dir / "vocab.json").string(), (dir / "merges.txt").string()));
}

void LanguageModel::save(const std::string& folder) const
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        throw InputError(folder + ": cannot create the folder (" + ec.message() + ")");
    m_model.config().write((fs::path(folder) / "config.json").string());
    m_model.weights().save((fs::path(folder) / "model.safetensors").string());
}

} // namespace featurescope
