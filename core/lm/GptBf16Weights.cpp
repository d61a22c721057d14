#include "lm/GptBf16Weights.h"

namespace featurescope {

namespace {

Bf16Gemm::PackedMatrix pack(const ConstRowMatrixMap& m)
{
    return Bf16Gemm::PackedMatrix(int(m.rows()), int(m.cols()), Sgemm::View(m.data(), m.cols(), 1));
}

} // namespace

GptBf16Weights::GptBf16Weights(const GptWeights& w)
{
    using Kind = GptWeights::Kind;
    const int layers = w.config().layers;
    m_layers.resize(std::size_t(layers));
    for (int l = 0; l < layers; ++l) {
        m_layers[std::size_t(l)][0] = pack(w.matrix(Kind::AttnWeight, l));
        m_layers[std::size_t(l)][1] = pack(w.matrix(Kind::AttnProjWeight, l));
        m_layers[std::size_t(l)][2] = pack(w.matrix(Kind::FcWeight, l));
        m_layers[std::size_t(l)][3] = pack(w.matrix(Kind::MlpProjWeight, l));
    }
    const ConstRowMatrixMap wte = w.matrix(Kind::TokenEmbedding); // [vocab, d]; the unembedding is its transpose
    m_unembedding = Bf16Gemm::PackedMatrix(int(wte.cols()), int(wte.rows()), Sgemm::View(wte.data(), wte.cols(), 1).transposed());
}

} // namespace featurescope
