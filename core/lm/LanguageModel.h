#pragma once

#include "lm/GptModel.h"
#include "lm/Tokenizer.h"

#include <memory>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

// A model folder in the Hugging Face GPT-2 layout: config.json, model.safetensors and, for GPT-2's BPE, vocab.json
// with merges.txt (without them the model reads bytes). Loading checks that the tokenizer's vocabulary fits the
// model's.
class LanguageModel {
public:
    static LanguageModel load(const std::string& folder, const ProgressReporter* progress = nullptr);
    // Only the tokenizer of a folder: GPT-2 BPE when it holds vocab.json and merges.txt, else bytes.
    static std::shared_ptr<const Tokenizer> loadTokenizer(const std::string& folder);
    // The files of a folder that load() reads (for a checksum of what a session used).
    static std::vector<std::string> folderFiles() { return {"config.json", "model.safetensors", "vocab.json", "merges.txt"}; }
    // A model with byte tokens (no tokenizer files are written).
    LanguageModel(GptModel model, std::shared_ptr<const Tokenizer> tokenizer);

    // Writes config.json and model.safetensors into `folder` (created when missing).
    void save(const std::string& folder) const;

    GptModel& model() { return m_model; }
    const GptModel& model() const { return m_model; }
    const Tokenizer& tokenizer() const { return *m_tokenizer; }

private:
    GptModel m_model;
    std::shared_ptr<const Tokenizer> m_tokenizer;
};

} // namespace featurescope
