#include "lm/GptWeights.h"

#include "common/InputError.h"
#include "io/FileText.h"
#include "io/SafetensorsFile.h"
#include "math/Rng.h"

#include <cmath>
#include <map>

namespace featurescope {

namespace {

constexpr const char* kPrefix = "transformer.";

bool endsWith(const std::string& s, const std::string& tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

} // namespace

GptWeights::GptWeights(const GptConfig& config) : m_config(config)
{
    const int d = config.width, f = config.inner;
    std::size_t offset = 0;
    auto add = [&](std::string name, Kind kind, int layer, int rows, int cols, bool isVector) {
        Tensor t{std::move(name), kind, layer, rows, cols, isVector, offset};
        offset += t.size();
        m_tensors.push_back(std::move(t));
    };
    add("wte.weight", Kind::TokenEmbedding, -1, config.vocabSize, d, false);
    add("wpe.weight", Kind::PositionEmbedding, -1, config.positions, d, false);
    for (int l = 0; l < config.layers; ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        add(p + "ln_1.weight", Kind::Norm1Gain, l, 1, d, true);
        add(p + "ln_1.bias", Kind::Norm1Bias, l, 1, d, true);
        add(p + "attn.c_attn.weight", Kind::AttnWeight, l, d, 3 * d, false);
        add(p + "attn.c_attn.bias", Kind::AttnBias, l, 1, 3 * d, true);
        add(p + "attn.c_proj.weight", Kind::AttnProjWeight, l, d, d, false);
        add(p + "attn.c_proj.bias", Kind::AttnProjBias, l, 1, d, true);
        add(p + "ln_2.weight", Kind::Norm2Gain, l, 1, d, true);
        add(p + "ln_2.bias", Kind::Norm2Bias, l, 1, d, true);
        add(p + "mlp.c_fc.weight", Kind::FcWeight, l, d, f, false);
        add(p + "mlp.c_fc.bias", Kind::FcBias, l, 1, f, true);
        add(p + "mlp.c_proj.weight", Kind::MlpProjWeight, l, f, d, false);
        add(p + "mlp.c_proj.bias", Kind::MlpProjBias, l, 1, d, true);
    }
    add("ln_f.weight", Kind::FinalNormGain, -1, 1, d, true);
    add("ln_f.bias", Kind::FinalNormBias, -1, 1, d, true);
    m_values.assign(offset, 0.0f);
}

void GptWeights::setZero()
{
    std::fill(m_values.begin(), m_values.end(), 0.0f);
}

std::size_t GptWeights::indexOf(Kind kind, int layer) const
{
    constexpr std::size_t kGlobalsBefore = 2; // wte, wpe
    constexpr std::size_t kPerLayer = 12;
    switch (kind) {
    case Kind::TokenEmbedding: return 0;
    case Kind::PositionEmbedding: return 1;
    case Kind::FinalNormGain: return kGlobalsBefore + kPerLayer * std::size_t(m_config.layers);
    case Kind::FinalNormBias: return kGlobalsBefore + kPerLayer * std::size_t(m_config.layers) + 1;
    default: break;
    }
    return kGlobalsBefore + kPerLayer * std::size_t(layer) + (std::size_t(kind) - std::size_t(Kind::Norm1Gain));
}

const GptWeights::Tensor& GptWeights::tensor(Kind kind, int layer) const
{
    return m_tensors[indexOf(kind, layer)];
}

RowMatrixMap GptWeights::matrix(Kind kind, int layer)
{
    const Tensor& t = tensor(kind, layer);
    return RowMatrixMap(m_values.data() + t.offset, t.rows, t.cols);
}

ConstRowMatrixMap GptWeights::matrix(Kind kind, int layer) const
{
    const Tensor& t = tensor(kind, layer);
    return ConstRowMatrixMap(m_values.data() + t.offset, t.rows, t.cols);
}

RowVectorMap GptWeights::row(Kind kind, int layer)
{
    const Tensor& t = tensor(kind, layer);
    return RowVectorMap(m_values.data() + t.offset, Eigen::Index(t.size()));
}

ConstRowVectorMap GptWeights::row(Kind kind, int layer) const
{
    const Tensor& t = tensor(kind, layer);
    return ConstRowVectorMap(m_values.data() + t.offset, Eigen::Index(t.size()));
}

void GptWeights::initialize(std::uint64_t seed)
{
    Rng rng(seed);
    const double residualScale = 1.0 / std::sqrt(2.0 * m_config.layers);
    for (const Tensor& t : m_tensors) {
        float* v = m_values.data() + t.offset;
        const bool gain = t.kind == Kind::Norm1Gain || t.kind == Kind::Norm2Gain || t.kind == Kind::FinalNormGain;
        if (t.isVector) {
            std::fill(v, v + t.size(), gain ? 1.0f : 0.0f);
            continue;
        }
        const bool residual = t.kind == Kind::AttnProjWeight || t.kind == Kind::MlpProjWeight;
        const double std = 0.02 * (residual ? residualScale : 1.0);
        for (std::size_t i = 0; i < t.size(); ++i)
            v[i] = float(std * rng.normal());
    }
}

GptWeights GptWeights::load(const std::string& path, const GptConfig& config, const ProgressReporter* progress)
{
    const SafetensorsFile file = SafetensorsFile::open(path);
    GptWeights weights(config);
    std::map<std::string, std::size_t> wanted;
    for (std::size_t i = 0; i < weights.m_tensors.size(); ++i)
        wanted[weights.m_tensors[i].name] = i;

    // First pass: every name known or ignorable, every shape right, nothing missing. Only then convert.
    std::vector<const SafetensorsFile::TensorInfo*> source(weights.m_tensors.size(), nullptr);
    for (const SafetensorsFile::TensorInfo& info : file.tensors()) {
        std::string name = info.name;
        if (name.rfind(kPrefix, 0) == 0)
            name = name.substr(std::string(kPrefix).size());
        if (endsWith(name, ".attn.bias") || endsWith(name, ".attn.masked_bias"))
            continue; // GPT-2's stored causal-mask buffers, not parameters
        if (name == "lm_head.weight") {
            if (info.shape != ArrayData::Shape{std::uint64_t(config.vocabSize), std::uint64_t(config.width)})
                throw InputError(path + ": lm_head.weight has shape " + ArrayData::shapeText(info.shape) +
                                 " but the unembedding is tied to wte [" + std::to_string(config.vocabSize) + ", " +
                                 std::to_string(config.width) + "]");
            continue;
        }
        const auto it = wanted.find(name);
        if (it == wanted.end())
            throw InputError(path + ": unexpected tensor " + FileText::quoted(info.name) + " for a GPT-2 model with " +
                             std::to_string(config.layers) + " layers (config.json and the weights disagree?)");
        if (source[it->second])
            throw InputError(path + ": tensor " + FileText::quoted(name) + " appears twice (with and without " +
                             kPrefix + ")");
        const Tensor& t = weights.m_tensors[it->second];
        const ArrayData::Shape expected = t.isVector ? ArrayData::Shape{std::uint64_t(t.cols)}
                                                     : ArrayData::Shape{std::uint64_t(t.rows), std::uint64_t(t.cols)};
        if (info.shape != expected)
            throw InputError(path + ": tensor " + FileText::quoted(name) + " has shape " +
                             ArrayData::shapeText(info.shape) + " but config.json implies " +
                             ArrayData::shapeText(expected));
        if (info.dtype != DType::F32 && info.dtype != DType::F16 && info.dtype != DType::BF16)
            throw InputError(path + ": tensor " + FileText::quoted(name) + " is " + dtypeShortName(info.dtype) +
                             " (expected f32, f16 or bf16)");
        source[it->second] = &info;
    }
    for (std::size_t i = 0; i < source.size(); ++i)
        if (!source[i])
            throw InputError(path + ": tensor " + weights.m_tensors[i].name + " is missing (config.json has " +
                             std::to_string(config.layers) + " layers)");
    for (std::size_t i = 0; i < source.size(); ++i)
        file.tensor(source[i]->name).toFloat(weights.m_values.data() + weights.m_tensors[i].offset, progress);
    return weights;
}

void GptWeights::save(const std::string& path) const
{
    std::vector<SafetensorsFile::NamedArray> arrays;
    arrays.reserve(m_tensors.size());
    for (const Tensor& t : m_tensors) {
        const ArrayData::Shape shape = t.isVector ? ArrayData::Shape{std::uint64_t(t.cols)}
                                                  : ArrayData::Shape{std::uint64_t(t.rows), std::uint64_t(t.cols)};
        arrays.push_back({t.name, ArrayData::fromFloats(shape, m_values.data() + t.offset)});
    }
    SafetensorsFile::write(path, arrays, {{"format", "pt"}});
}

} // namespace featurescope
