#include "sae/SaeLossKernel.h"

#include "math/Sgemm.h"
#include "sae/SaeSparsePasses.h"

#include <Eigen/Core>

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace featurescope {

namespace {
constexpr int kBlock = 16;
constexpr int kSampleBlock = 128;
} // namespace

SaeLossKernel::SaeLossKernel(const SaeConfig& config, SaeComputePath path)
    : m_config(config), m_path(path), m_topK(config.k)
{
    m_fireCount.assign(std::size_t(config.latentDim), 0);
    m_codeSum.assign(std::size_t(config.latentDim), 0.0);
    if (config.variant == SaeVariant::Matryoshka) {
        m_innerWidths = config.matryoshkaLevels();
        m_innerWidths.pop_back(); // the last prefix is the whole dictionary: the ordinary reconstruction loss
    }
}

double SaeLossKernel::denseFlopsPerStep(int inputDim, int latentDim, int batch)
{
    // Encoder, decoder, dL/dW_dec, dL/df, dL/dW_enc: five d_in x d_sae x batch products of 2 FLOPs per MAC.
    return 5.0 * 2.0 * double(inputDim) * latentDim * batch;
}

Eigen::VectorXf SaeLossKernel::sampleSquaredErrors() const
{
    return m_weights ? m_weightedErrors : Eigen::VectorXf(m_G.colwise().squaredNorm().transpose());
}

void SaeLossKernel::applySampleWeights(Eigen::VectorXf* gSum)
{
    // In: m_G = x̂' − t. The loss term w_s ‖G_s‖² has gradient 2 w_s G_s: every later product uses w_s G_s. AuxK keeps
    // the unweighted residual (its own term is weighted per input).
    if (!m_weights || m_weights->size() != m_G.cols())
        return;
    m_weightedErrors = m_G.colwise().squaredNorm().transpose().cwiseProduct(*m_weights);
    if (m_auxK > 0)
        m_auxResidual = m_G;
    m_G.array().rowwise() *= m_weights->transpose().array();
    if (gSum)
        *gSum = m_G.rowwise().sum();
}

void SaeLossKernel::prepareLists(int batch)
{
    // One spare vector at the end: the AVX-512 path stores whole vectors of 16 past the last kept entry.
    const std::size_t capacity = std::size_t(batch) * std::size_t(m_config.latentDim) + kBlock;
    if (m_activeFeature.size() < capacity) {
        m_activeFeature.resize(capacity);
        m_activeValue.resize(capacity);
    }
    m_rowStart.resize(std::size_t(batch) + 1);
    m_rowStart[0] = 0;
    std::fill(m_fireCount.begin(), m_fireCount.end(), 0);
}

void SaeLossKernel::extractActive(const SparseAutoencoder& sae, int first, int count)
{
    const int dsae = m_config.latentDim;
    int* feature = m_activeFeature.data();
    float* value = m_activeValue.data();
    int* fire = m_fireCount.data();
    const float* bias = sae.encoderBias().data();
    std::size_t total = std::size_t(m_rowStart[std::size_t(first)]);
    const bool topK = m_config.variant == SaeVariant::TopK;
    if (topK)
        m_pre.middleCols(first, count).colwise() += sae.encoderBias();
#ifdef __AVX512F__
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512 zero = _mm512_setzero_ps();
#endif
    for (int s = first; s < first + count; ++s) {
        const float* col = m_pre.col(s).data();
        const std::size_t begin = total;
        if (topK) {
            total += std::size_t(m_topK.select(col, dsae, feature + total, value + total));
        } else if (m_config.learnsThresholds()) {
            const float* theta = m_theta.data();
            for (int j = 0; j < dsae; ++j) {
                const float v = col[j] + bias[j];
                feature[total] = j;
                value[total] = v;
                total += v > theta[j] ? 1 : 0;
            }
        } else {
            int j0 = 0;
#ifdef __AVX512F__
            // pre + b_enc, compare, compress the positive lanes into the lists: a few instructions per 16 codes.
            for (; j0 + kBlock <= dsae; j0 += kBlock) {
                const __m512 v = _mm512_add_ps(_mm512_loadu_ps(col + j0), _mm512_loadu_ps(bias + j0));
                const __mmask16 mask = _mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ);
                if (!mask)
                    continue;
                const __m512i index = _mm512_add_epi32(lane, _mm512_set1_epi32(j0));
                _mm512_storeu_ps(value + total, _mm512_maskz_compress_ps(mask, v));
                _mm512_storeu_si512(feature + total, _mm512_maskz_compress_epi32(mask, index));
                total += std::size_t(__builtin_popcount(unsigned(mask)));
            }
#endif
            for (int j = j0; j < dsae; ++j) {
                const float v = col[j] + bias[j];
                feature[total] = j;
                value[total] = v;
                total += v > 0.0f ? 1 : 0;
            }
        }
        for (std::size_t a = begin; a < total; ++a)
            ++fire[feature[a]];
        m_rowStart[std::size_t(s) + 1] = int(total);
    }
}

SaeLossTerms SaeLossKernel::evaluate(const SparseAutoencoder& sae, const Eigen::MatrixXf& X, double l1,
                                     float* gradient)
{
    const int d = m_config.inputDim;
    const int dsae = m_config.latentDim;
    const int batch = static_cast<int>(X.cols());
    SaeLossTerms terms;
    if (batch == 0)
        return terms;
    m_l1 = l1;

    // r = x − b_dec: the decoder's target (x̂ − x = W_dec f − r) and, with a pre-encoder bias, the encoder's input.
    m_residualTarget.resize(d, batch);
    const bool ownTarget = m_target && m_target->cols() == batch && m_target->rows() == d;
    m_residualTarget = (ownTarget ? *m_target : X).colwise() - sae.decoderBias();
    if (ownTarget && m_config.subtractsDecoderBias())
        m_encoderInput = X.colwise() - sae.decoderBias();
    const Eigen::MatrixXf& encoderInput =
        m_config.subtractsDecoderBias() ? (ownTarget ? m_encoderInput : m_residualTarget) : X;
    // Encoder GEMM in blocks of samples, each block's codes extracted while its pre-activations are still in cache.
    m_pre.resize(dsae, batch);
    prepareLists(batch);
    if (m_config.learnsThresholds())
        m_theta = sae.thresholds();
    const bool auxK = m_config.usesAuxK() && m_dead && !m_dead->empty();
    m_auxK = auxK ? std::min(m_config.auxKLatents(), int(m_dead->size())) : 0;
    if (auxK) {
        m_auxFeature.resize(std::size_t(batch) * std::size_t(m_auxK));
        m_auxValue.resize(m_auxFeature.size());
    }
    const bool batchTopK = m_config.selectsOverBatch();
    Sgemm::pack(d, dsae, Sgemm::View(sae.encoderColumns().data(), 1, d), m_packedEncoder);
    for (int first = 0; first < batch; first += kSampleBlock) {
        const int count = std::min(kSampleBlock, batch - first);
        // pre (d_sae x count, column-major) is, row-major, count x d_sae = input^T (count x d) times W_enc^T (d x d_sae),
        // with W_enc^T packed once for all the blocks.
        Sgemm::multiply(count, Sgemm::View(encoderInput.data() + std::size_t(first) * d, d, 1), m_packedEncoder,
                        m_pre.data() + std::size_t(first) * dsae, dsae, false);
        if (batchTopK) { // the selection needs the whole batch
            m_pre.middleCols(first, count).colwise() += sae.encoderBias();
            continue;
        }
        extractActive(sae, first, count);
        if (m_auxK > 0)
            selectAuxLatents(first, count); // before the dense path overwrites the pre-activations with codes
    }
    if (batchTopK) {
        selectBatchTopK(batch);
        if (m_auxK > 0)
            selectAuxLatents(0, batch);
    }

    const std::size_t active = std::size_t(m_rowStart.back());
    const double density = double(active) / (double(batch) * dsae);
    terms.l0 = double(active) / batch;
    // JumpReLU's threshold estimator needs dL/df also for silent codes near θ: the dense path computes them all.
    const bool sparse = !m_config.learnsThresholds() &&
                        (m_path == SaeComputePath::Sparse ||
                         (m_path == SaeComputePath::Automatic && density < kSparseBelowDensity));
    terms.sparsePath = sparse;

    // dL/df_i contributed by the penalty (per active code of feature i).
    m_featurePenalty.resize(dsae);
    if (m_config.selectsTopK() || m_config.learnsThresholds()) {
        m_featurePenalty.setZero(); // JumpReLU's sparsity loss is its own (jumpReluBackward)
    } else if (m_config.variant == SaeVariant::Anthropic2024) {
        m_decoderNorms = sae.decoderWeights().colwise().norm().transpose();
        m_featurePenalty = m_decoderNorms * float(l1 / batch);
    } else {
        m_featurePenalty.setConstant(float(l1 / batch));
    }

    double penaltySum = 0.0;
    if (sparse)
        sparseForwardBackward(sae, encoderInput, gradient, &penaltySum);
    else
        denseBackward(sae, encoderInput, gradient, &penaltySum);

    if (!m_innerWidths.empty())
        terms.prefixLoss = matryoshkaPrefixes(sae, encoderInput, gradient);
    if (m_auxK > 0)
        terms.auxLoss = auxForwardBackward(sae, encoderInput, gradient);
    if (gradient && m_config.variant == SaeVariant::Anthropic2024) {
        // d/dW_dec,i of (λ/B) Σ_s f_si ‖W_dec,i‖ = (λ/B) (Σ_s f_si) W_dec,i / ‖W_dec,i‖.
        const auto dec = sae.decoderWeights();
        Eigen::Map<Eigen::MatrixXf> dDec(gradient + sae.decoderOffset(), d, dsae);
        for (int j = 0; j < dsae; ++j) {
            const float norm = m_decoderNorms[j];
            if (m_codeSum[std::size_t(j)] != 0.0 && norm > 1e-20f)
                dDec.col(j) += float(l1 / batch * m_codeSum[std::size_t(j)] / norm) * dec.col(j);
        }
    }
    if (gradient && m_config.subtractsDecoderBias()) {
        // x̄ = x − b_dec feeds the encoder: dL/db_dec gets −W_encᵀ Σ_s dL/dpre_s = −W_encᵀ dL/db_enc.
        Eigen::Map<Eigen::VectorXf> dBdec(gradient + sae.decoderBiasOffset(), d);
        Eigen::Map<const Eigen::VectorXf> dBenc(gradient + sae.encoderBiasOffset(), dsae);
        dBdec.noalias() -= sae.encoderColumns() * dBenc;
    }
    terms.mse = (m_weights ? double(m_weightedErrors.sum()) : double(m_G.squaredNorm())) / (double(batch) * d);
    terms.penalty = penaltySum;
    terms.loss = terms.mse + terms.penalty + terms.auxLoss + terms.prefixLoss;
    return terms;
}

void SaeLossKernel::selectBatchTopK(int batch)
{
    // m_pre holds complete pre-activations. Keep the k·B largest positive ones of the whole batch: those above the
    // (k·B)-th largest value t, and of those equal to t the first ones in (input, latent) order.
    const int dsae = m_config.latentDim;
    const std::size_t keep = std::size_t(m_config.k) * std::size_t(batch);
    m_batchValues.clear();
    const float* pre = m_pre.data();
    const std::size_t total = std::size_t(dsae) * std::size_t(batch);
    for (std::size_t a = 0; a < total; ++a)
        if (pre[a] > 0.0f)
            m_batchValues.push_back(pre[a]);
    float t = 0.0f;
    std::size_t tiesLeft = 0;
    if (m_batchValues.size() > keep) {
        std::nth_element(m_batchValues.begin(), m_batchValues.begin() + std::ptrdiff_t(keep - 1), m_batchValues.end(),
                         std::greater<float>());
        t = m_batchValues[keep - 1];
        std::size_t above = 0;
        for (float v : m_batchValues)
            above += v > t ? 1 : 0;
        tiesLeft = keep - above;
    }
    // With at most k·B positive values all are kept (t = 0, no ties to ration).
    int* feature = m_activeFeature.data();
    float* value = m_activeValue.data();
    std::size_t count = 0;
    float smallest = std::numeric_limits<float>::infinity();
    for (int s = 0; s < batch; ++s) {
        const float* col = pre + std::size_t(s) * std::size_t(dsae);
        for (int j = 0; j < dsae; ++j) {
            const float v = col[j];
            bool take = v > t;
            if (!take && v == t && tiesLeft > 0 && v > 0.0f) {
                take = true;
                --tiesLeft;
            }
            if (!take)
                continue;
            feature[count] = j;
            value[count] = v;
            ++count;
            ++m_fireCount[std::size_t(j)];
            smallest = std::min(smallest, v);
        }
        m_rowStart[std::size_t(s) + 1] = int(count);
    }
    m_batchMinActive = count > 0 ? smallest : -1.0f;
}

void SaeLossKernel::selectAuxLatents(int first, int count)
{
    // m_pre holds complete pre-activations here (TopK adds b_enc in extractActive, BatchTopK before selecting). Per sample, the k_aux largest
    // among the dead latents, ties to the lower index, negative values kept (SAELens selects from the raw
    // pre-activations).
    const std::vector<int>& dead = *m_dead;
    const std::size_t k = std::size_t(m_auxK);
    m_auxScratch.resize(dead.size());
    const auto larger = [](const std::pair<float, int>& a, const std::pair<float, int>& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    for (int s = first; s < first + count; ++s) {
        const float* col = m_pre.col(s).data();
        for (std::size_t t = 0; t < dead.size(); ++t)
            m_auxScratch[t] = {col[dead[t]], dead[t]};
        if (k < dead.size())
            std::nth_element(m_auxScratch.begin(), m_auxScratch.begin() + std::ptrdiff_t(k), m_auxScratch.end(),
                             larger);
        for (std::size_t t = 0; t < k; ++t) {
            m_auxFeature[std::size_t(s) * k + t] = m_auxScratch[t].second;
            m_auxValue[std::size_t(s) * k + t] = m_auxScratch[t].first;
        }
    }
}

double SaeLossKernel::auxForwardBackward(const SparseAutoencoder& sae, const Eigen::MatrixXf& encoderInput,
                                         float* gradient)
{
    // A_s = W_dec a_s − e_s = W_dec a_s + G_s (G = x̂ − x, held constant). With w = α · min(n_dead/k_aux, 1) / (B·d):
    //   L_aux = w Σ_s ‖A_s‖²,  dL/dW_dec,j += 2w Σ_s a_sj A_s,  dL/da_sj = 2w W_dec,j · A_s,
    // and a_sj = pre_sj passes that on to W_enc,j (times the encoder input) and b_enc,j.
    const int d = m_config.inputDim;
    const int batch = static_cast<int>(m_G.cols());
    const std::size_t k = std::size_t(m_auxK);
    const double scale = std::min(double(m_dead->size()) / m_config.auxKLatents(), 1.0);
    const double w = m_config.auxK * scale / (double(batch) * d);
    const float c = float(2.0 * w);
    const auto dec = sae.decoderWeights();
    Eigen::VectorXf A(d);
    double total = 0.0;
    const bool weighted = m_weights && m_weights->size() == batch;
    const Eigen::MatrixXf& residual = weighted ? m_auxResidual : m_G;
    for (int s = 0; s < batch; ++s) {
        A = residual.col(s);
        const int* feature = m_auxFeature.data() + std::size_t(s) * k;
        const float* value = m_auxValue.data() + std::size_t(s) * k;
        for (std::size_t t = 0; t < k; ++t)
            A.noalias() += value[t] * dec.col(feature[t]);
        const float ws = weighted ? (*m_weights)[s] : 1.0f;
        total += double(ws) * double(A.squaredNorm());
        if (!gradient)
            continue;
        A *= ws;
        Eigen::Map<Eigen::MatrixXf> dEnc(gradient + sae.encoderOffset(), d, m_config.latentDim);
        float* dBenc = gradient + sae.encoderBiasOffset();
        Eigen::Map<Eigen::MatrixXf> dDec(gradient + sae.decoderOffset(), d, m_config.latentDim);
        for (std::size_t t = 0; t < k; ++t) {
            const int j = feature[t];
            dDec.col(j) += (c * value[t]) * A;
            const float dpre = c * dec.col(j).dot(A);
            dEnc.col(j) += dpre * encoderInput.col(s);
            dBenc[j] += dpre;
        }
    }
    return w * total;
}

double SaeLossKernel::matryoshkaPrefixes(const SparseAutoencoder& sae, const Eigen::MatrixXf& encoderInput,
                                        float* gradient)
{
    // Per input, A_l = x̂_{w_l} − x = Σ_{j < w_l} f_j W_dec,j − r (r = x − b_dec), accumulated over the nested prefixes
    // from the active codes (ascending latent order). A latent j below w_l appears in every prefix from l on, so its
    // gradient takes the suffix sum H_l = Σ_{l' ≥ l} A_l' with l its first prefix: dL/dW_dec,j += c f_j H_l,
    // dL/dpre_j = c W_dec,j · H_l (BatchTopK passes the code's gradient to its pre-activation), dL/db_dec += c H_0.
    const int d = m_config.inputDim;
    const int batch = static_cast<int>(m_residualTarget.cols());
    const int inner = int(m_innerWidths.size());
    const float c = 2.0f / (float(batch) * float(d));
    const auto dec = sae.decoderWeights();
    m_levelResidual.resize(d, inner);
    const bool weighted = m_weights && m_weights->size() == batch;
    Eigen::VectorXf A(d);
    double total = 0.0;
    for (int s = 0; s < batch; ++s) {
        const int begin = m_rowStart[std::size_t(s)], end = m_rowStart[std::size_t(s) + 1];
        const float ws = weighted ? (*m_weights)[s] : 1.0f;
        A = -m_residualTarget.col(s);
        int a = begin;
        for (int l = 0; l < inner; ++l) {
            for (; a < end && m_activeFeature[std::size_t(a)] < m_innerWidths[std::size_t(l)]; ++a)
                A.noalias() += m_activeValue[std::size_t(a)] * dec.col(m_activeFeature[std::size_t(a)]);
            m_levelResidual.col(l) = A;
            total += double(ws) * double(A.squaredNorm());
        }
        if (!gradient)
            continue;
        if (weighted)
            m_levelResidual *= ws;
        for (int l = inner - 2; l >= 0; --l)
            m_levelResidual.col(l) += m_levelResidual.col(l + 1);
        Eigen::Map<Eigen::MatrixXf> dEnc(gradient + sae.encoderOffset(), d, m_config.latentDim);
        float* dBenc = gradient + sae.encoderBiasOffset();
        Eigen::Map<Eigen::MatrixXf> dDec(gradient + sae.decoderOffset(), d, m_config.latentDim);
        Eigen::Map<Eigen::VectorXf>(gradient + sae.decoderBiasOffset(), d) += c * m_levelResidual.col(0);
        int l = 0;
        for (a = begin; a < end; ++a) {
            const int j = m_activeFeature[std::size_t(a)];
            while (l < inner && j >= m_innerWidths[std::size_t(l)])
                ++l;
            if (l == inner)
                break; // the remaining latents are in the full dictionary only
            dDec.col(j) += (c * m_activeValue[std::size_t(a)]) * m_levelResidual.col(l);
            const float dpre = c * dec.col(j).dot(m_levelResidual.col(l));
            dEnc.col(j) += dpre * encoderInput.col(s);
            dBenc[j] += dpre;
        }
    }
    return total / (double(batch) * d);
}

void SaeLossKernel::sparseForwardBackward(const SparseAutoencoder& sae, const Eigen::MatrixXf& encoderInput,
                                          float* gradient, double* penaltySum)
{
    const int d = m_config.inputDim;
    const int dsae = m_config.latentDim;
    const int batch = static_cast<int>(m_residualTarget.cols());
    const float c = 2.0f / (float(batch) * float(d));
    m_G.resize(d, batch);
    Eigen::VectorXf gSum = Eigen::VectorXf::Zero(d);
    const int* rows = m_rowStart.data();
    const int* features = m_activeFeature.data();
    const float* values = m_activeValue.data();
    const float* dec = sae.decoderWeights().data();
    const float* penalty = m_featurePenalty.data();
    *penaltySum = SaeSparsePasses::decode(d, batch, rows, features, values, dec, penalty, m_residualTarget.data(),
                                          m_G.data(), gSum.data());
    applySampleWeights(&gSum);
    if (!gradient)
        return;
    Eigen::Map<Eigen::VectorXf>(gradient + sae.decoderBiasOffset(), d) = c * gSum;

    // CSR -> CSC by a counting sort on the feature (samples stay in ascending order within each feature).
    const std::size_t active = std::size_t(m_rowStart.back());
    m_colStart.resize(std::size_t(dsae) + 1);
    m_colStart[0] = 0;
    for (int j = 0; j < dsae; ++j)
        m_colStart[std::size_t(j) + 1] = m_colStart[std::size_t(j)] + m_fireCount[std::size_t(j)];
    m_colSample.resize(active);
    m_colValue.resize(active);
    m_cursor.assign(m_colStart.begin(), m_colStart.end() - 1);
    for (int s = 0; s < batch; ++s)
        for (int a = m_rowStart[std::size_t(s)]; a < m_rowStart[std::size_t(s) + 1]; ++a) {
            const int slot = m_cursor[std::size_t(m_activeFeature[std::size_t(a)])]++;
            m_colSample[std::size_t(slot)] = s;
            m_colValue[std::size_t(slot)] = m_activeValue[std::size_t(a)];
        }
    float* dEnc = gradient + sae.encoderOffset();
    float* dBenc = gradient + sae.encoderBiasOffset();
    float* dDec = gradient + sae.decoderOffset();
    const int* cols = m_colStart.data();
    const int* samples = m_colSample.data();
    const float* colValues = m_colValue.data();
    const float* in = encoderInput.data();
    SaeSparsePasses::gradient(d, dsae, cols, samples, colValues, dec, penalty, m_G.data(), in, c, dEnc, dBenc, dDec,
                              m_codeSum.data(), m_dpreScratch);
}

void SaeLossKernel::denseBackward(const SparseAutoencoder& sae, const Eigen::MatrixXf& encoderInput,
                                  float* gradient, double* penaltySum)
{
    const int d = m_config.inputDim;
    const int dsae = m_config.latentDim;
    const int batch = static_cast<int>(m_residualTarget.cols());
    const float c = 2.0f / (float(batch) * float(d));
    // Dense codes F in m_pre.
    if (m_config.selectsTopK()) {
        m_pre.setZero();
        for (int s = 0; s < batch; ++s)
            for (int a = m_rowStart[std::size_t(s)]; a < m_rowStart[std::size_t(s) + 1]; ++a)
                m_pre(m_activeFeature[std::size_t(a)], s) = m_activeValue[std::size_t(a)];
    } else if (m_config.learnsThresholds()) {
        m_pre.colwise() += sae.encoderBias();
        m_rawPre = m_pre; // the estimator of θ's gradient needs the pre-activations of silent codes too
        for (int s = 0; s < batch; ++s)
            m_pre.col(s) = (m_pre.col(s).array() > m_theta.array()).select(m_pre.col(s).array(), 0.0f).matrix();
    } else {
        m_pre.colwise() += sae.encoderBias(); // extractActive() added the bias only on the fly
        m_pre = m_pre.cwiseMax(0.0f);
    }
    const auto& F = m_pre;
    const auto dec = sae.decoderWeights();
    m_G.resize(d, batch);
    m_G.noalias() = dec * F;
    m_G -= m_residualTarget;
    applySampleWeights(nullptr);
    const Eigen::VectorXf codeSum = F.rowwise().sum();
    *penaltySum = m_config.learnsThresholds() ? jumpReluSparsity(sae, m_l1) : double(codeSum.dot(m_featurePenalty));
    for (int j = 0; j < dsae; ++j)
        m_codeSum[std::size_t(j)] = codeSum[j];
    if (!gradient)
        return;
    Eigen::Map<Eigen::MatrixXf> dEnc(gradient + sae.encoderOffset(), d, dsae);
    Eigen::Map<Eigen::VectorXf> dBenc(gradient + sae.encoderBiasOffset(), dsae);
    Eigen::Map<Eigen::MatrixXf> dDec(gradient + sae.decoderOffset(), d, dsae);
    Eigen::Map<Eigen::VectorXf> dBdec(gradient + sae.decoderBiasOffset(), d);
    dDec.noalias() = m_G * F.transpose();
    dDec *= c;
    dBdec = c * m_G.rowwise().sum();
    m_dF.resize(dsae, batch);
    m_dF.noalias() = dec.transpose() * m_G;
    if (m_config.learnsThresholds()) {
        jumpReluBackward(sae, m_l1, c, gradient);
        dEnc.noalias() = encoderInput * m_dF.transpose();
        dBenc = m_dF.rowwise().sum();
        return;
    }
    // dL/dpre = (c · W_decᵀ G + penalty) where the code is active, 0 elsewhere.
    for (int s = 0; s < batch; ++s) {
        float* dcol = m_dF.col(s).data();
        const float* fcol = F.col(s).data();
        const float* pen = m_featurePenalty.data();
        for (int j = 0; j < dsae; ++j)
            dcol[j] = fcol[j] > 0.0f ? c * dcol[j] + pen[j] : 0.0f;
    }
    dEnc.noalias() = encoderInput * m_dF.transpose();
    dBenc = m_dF.rowwise().sum();
}

double SaeLossKernel::jumpReluSparsity(const SparseAutoencoder& sae, double l1) const
{
    // Step: λ/B Σ_s Σ_j [pre_sj > θ_j] = λ · mean L0. Tanh: λ/B Σ_s Σ_j tanh(c f_sj ‖W_dec,j‖). Quadratic:
    // λ (mean L0 / L0_target − 1)².
    const int batch = int(m_pre.cols());
    if (m_config.jumpSparsity == SaeJumpSparsity::Step)
        return l1 / batch * double((m_pre.array() > 0.0f).count());
    if (m_config.jumpSparsity == SaeJumpSparsity::Quadratic) {
        const double deviation = double((m_pre.array() > 0.0f).count()) / batch / m_config.jumpTargetL0 - 1.0;
        return l1 * deviation * deviation;
    }
    const Eigen::ArrayXf scale = float(m_config.jumpTanhScale) * sae.decoderWeights().colwise().norm().transpose().array();
    double total = 0.0;
    for (int s = 0; s < batch; ++s)
        total += double((m_pre.col(s).array() * scale).tanh().sum());
    return l1 / batch * total;
}

void SaeLossKernel::jumpReluBackward(const SparseAutoencoder& sae, double l1, float c, float* gradient)
{
    // In: m_dF = W_decᵀ G, m_rawPre, m_pre = F, m_theta. Out: m_dF = dL/dpre, and dL/dlog θ, plus tanh's term in
    // dL/dW_dec. With g_sj = dL/df_sj (c·(W_decᵀG)_sj, plus for tanh λ/B · c_t ‖W_j‖ sech²(c_t f_sj ‖W_j‖)):
    //   dL/dpre_sj = g_sj where active (SAELens applies no estimator to pre),
    //   dL/dθ_j = Σ_s −(θ_j/ε) K((pre_sj − θ_j)/ε) g_sj  (JumpReLU's estimator, K the unit rectangle on (−½, ½)),
    //            + step: λ/B Σ_s −(1/ε) K((pre_sj − θ_j)/ε),
    //            + quadratic: 2λ (L0/T − 1)/(T B) Σ_s −(1/ε) K((pre_sj − θ_j)/ε) (the step estimator through the square),
    //   dL/dlog θ_j = θ_j · dL/dθ_j.
    const int dsae = m_config.latentDim;
    const int batch = int(m_pre.cols());
    const float eps = float(m_config.jumpBandwidth);
    const float rate = float(l1 / batch);
    const bool tanhLoss = m_config.jumpSparsity == SaeJumpSparsity::Tanh;
    // The coefficient of Σ_s [pre_sj > θ_j] in the sparsity loss, locally: its estimator gives −(1/ε) K per code.
    float stepRate = 0.0f;
    if (m_config.jumpSparsity == SaeJumpSparsity::Step) {
        stepRate = rate;
    } else if (m_config.jumpSparsity == SaeJumpSparsity::Quadratic) {
        const double target = m_config.jumpTargetL0;
        const double meanL0 = double((m_pre.array() > 0.0f).count()) / batch;
        stepRate = float(2.0 * l1 * (meanL0 / target - 1.0) / (target * batch));
    }
    const Eigen::VectorXf norms = sae.decoderWeights().colwise().norm().transpose();
    const float scaleT = float(m_config.jumpTanhScale);
    Eigen::Map<Eigen::VectorXf> dLogTheta(gradient + sae.logThresholdOffset(), dsae);
    Eigen::Map<Eigen::MatrixXf> dDec(gradient + sae.decoderOffset(), m_config.inputDim, dsae);
    const auto dec = sae.decoderWeights();
    std::vector<double> dTheta(std::size_t(dsae), 0.0), dNorm(std::size_t(dsae), 0.0);
    for (int s = 0; s < batch; ++s)
        for (int j = 0; j < dsae; ++j) {
            const float f = m_pre(j, s);
            float g = c * m_dF(j, s);
            if (tanhLoss) {
                const float t = std::tanh(scaleT * f * norms[j]);
                const float sech2 = 1.0f - t * t;
                g += rate * scaleT * norms[j] * sech2;
                dNorm[std::size_t(j)] += double(rate * scaleT * f * sech2);
            }
            const float theta = m_theta[j];
            const float u = (m_rawPre(j, s) - theta) / eps;
            if (u > -0.5f && u < 0.5f) {
                dTheta[std::size_t(j)] -= double(theta / eps * g);
                dTheta[std::size_t(j)] -= double(stepRate / eps);
            }
            m_dF(j, s) = m_rawPre(j, s) > theta ? g : 0.0f;
        }
    for (int j = 0; j < dsae; ++j) {
        dLogTheta[j] = float(double(m_theta[j]) * dTheta[std::size_t(j)]);
        if (tanhLoss && norms[j] > 1e-20f)
            dDec.col(j) += float(dNorm[std::size_t(j)] / norms[j]) * dec.col(j);
    }
}

} // namespace featurescope
