#include "toy/ToyLossKernel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace featurescope {

namespace {
constexpr int kChunk = 64; // samples per fused chunk: h, p and g for a chunk stay in L1
// The fused kernel keeps h and p (m x 64 samples each) in L1; beyond this m, Eigen GEMMs win (BENCHMARKS.md).
constexpr int kFusedMaxHidden = 64;
} // namespace

ToyLossKernel::ToyLossKernel(const ToyModelConfig& config, int instance, int batch, Path path)
    : m_features(config.features),
      m_hidden(config.hidden),
      m_batch(batch),
      m_hiddenRelu(config.kind == ToyModelKind::ReluHidden || config.kind == ToyModelKind::UntiedAbs),
      m_outputRelu(config.kind != ToyModelKind::Linear),
      m_absoluteTarget(config.kind == ToyModelKind::UntiedAbs),
      m_tied(config.tied()),
      m_path(path)
{
    if (m_path == Path::Automatic)
        m_path = m_hidden <= kFusedMaxHidden ? Path::Fused : Path::Gemm;
    m_importance.resize(static_cast<std::size_t>(m_features));
    m_coefficient.resize(static_cast<std::size_t>(m_features));
    for (int i = 0; i < m_features; ++i) {
        m_importance[static_cast<std::size_t>(i)] = static_cast<float>(config.importance(instance, i));
        m_coefficient[static_cast<std::size_t>(i)] =
            static_cast<float>(2.0 * config.importance(instance, i) / (double(batch) * m_features));
    }
    if (m_path == Path::Gemm) {
        m_H.resize(batch, m_hidden);
        m_Z.resize(batch, m_features);
        m_P.resize(batch, m_hidden);
    } else {
        // h, p and a padded tail chunk (64 samples each), then the per-lane accumulators: 16-float vectors.
        // Allocated on first use (beginBatch), on the training thread: for a GUI sweep of 12 instances of n = 400
        // zeroing them here cost the GUI thread ~50 ms at every start.
        m_vectorWorkSize = static_cast<std::size_t>((2 * m_hidden + m_features) * (kChunk / 16) +
                                                    2 * m_hidden * m_features + 2 * m_features);
    }
    if (!m_tied)
        m_decoderGradient.resize(m_hidden, m_features);
}

double ToyLossKernel::denseFlopsPerStep() const
{
    // H = X Wᵀ, Z = H D, dD = Hᵀ G, P = G Dᵀ, dW = Pᵀ X: five products of 2·B·n·m flops each.
    return 5.0 * 2.0 * double(m_batch) * m_features * m_hidden;
}

double ToyLossKernel::evaluate(const ToyInstance& params, const Eigen::MatrixXf& X, ToyInstance* gradient)
{
    if (m_path == Path::Fused) {
        beginBatch(gradient);
        accumulateSlab(params, X.data(), static_cast<int>(X.rows()), gradient);
        return finishBatch(gradient);
    }
    zeroGradient(gradient);
    return evaluateGemm(params, X, gradient);
}

namespace {

// 16 floats: one AVX-512 register (GCC/Clang split it on narrower machines). Written with vector extensions because
// the sample-major loops below are too short for the auto-vectoriser to take reliably.
using Vec = float __attribute__((vector_size(64)));
constexpr int kVec = 16;
constexpr int kVecsPerChunk = kChunk / kVec;

inline Vec load(const float* p)
{
    Vec v;
    std::memcpy(&v, p, sizeof(Vec));
    return v;
}
// A broadcast. (Not `Vec{} + x`: adding +0.0 is not an identity for -0.0, so GCC emits a scalar add before every
// broadcast; and not a loop over lanes, which GCC 12 turns into 16 masked broadcasts.)
inline Vec splat(float x)
{
    const Vec v{x};
    return __builtin_shufflevector(v, v, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
inline float horizontalSum(Vec v)
{
    float s = 0.0f;
    for (int l = 0; l < kVec; ++l)
        s += v[l];
    return s;
}

// out[t] += the sum of the lanes of v[t], for t < count. Sixteen vectors at a time are transposed and added in four
// shuffle levels (15 vector adds for 16 sums instead of 240 dependent scalar adds): with n x m accumulators per
// gradient this reduction was 6 % of a tms-large step.
inline void addHorizontalSums(const Vec* v, int count, float* out)
{
    int t = 0;
    for (; t + kVec <= count; t += kVec) {
        Vec level1[8], level2[4], level3[2];
        for (int q = 0; q < 8; ++q) // [a:8 | b:8] partial sums of v[2q], v[2q+1]
            level1[q] = __builtin_shufflevector(v[t + 2 * q], v[t + 2 * q + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19,
                                                20, 21, 22, 23) +
                        __builtin_shufflevector(v[t + 2 * q], v[t + 2 * q + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26,
                                                27, 28, 29, 30, 31);
        for (int q = 0; q < 4; ++q) // [a:4 | b:4 | c:4 | d:4]
            level2[q] = __builtin_shufflevector(level1[2 * q], level1[2 * q + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18,
                                                19, 24, 25, 26, 27) +
                        __builtin_shufflevector(level1[2 * q], level1[2 * q + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22,
                                                23, 28, 29, 30, 31);
        for (int q = 0; q < 2; ++q) // eight pairs
            level3[q] = __builtin_shufflevector(level2[2 * q], level2[2 * q + 1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20,
                                                21, 24, 25, 28, 29) +
                        __builtin_shufflevector(level2[2 * q], level2[2 * q + 1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22,
                                                23, 26, 27, 30, 31);
        const Vec sums = __builtin_shufflevector(level3[0], level3[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24,
                                                 26, 28, 30) +
                         __builtin_shufflevector(level3[0], level3[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25,
                                                 27, 29, 31);
        for (int l = 0; l < kVec; ++l)
            out[t + l] += sums[l];
    }
    for (; t < count; ++t)
        out[t] += horizontalSum(v[t]);
}

struct FusedArguments {
    int n, m, B;
    const float* X;        // B x n, column-major
    const float* E;        // encoder m x n
    const float* D;        // decoder m x n
    const float* bias;
    const float* importance;
    const float* coefficient;
    float* dE;             // may equal dD (tied weights)
    float* dD;
    float* db;
    Vec* work;             // h, p: m x kVecsPerChunk each; padded tail chunk: n x kVecsPerChunk
    Vec* lanes;            // accumulators: dD (m n), dE (m n), db (n), loss (n)
    int* active;           // n: the features with a non-zero input in the current chunk
};

// True when all 64 values of a chunk are zero (sparse inputs, or a gradient the ReLU switched off). Integer OR so
// the check vectorises; -0.0 counts as zero.
inline bool chunkIsZero(const float* values)
{
    std::uint32_t bits = 0;
    for (int s = 0; s < kChunk; ++s) {
        std::uint32_t u;
        std::memcpy(&u, values + s, sizeof(u));
        bits |= u & 0x7FFFFFFFu;
    }
    return bits == 0;
}

constexpr int kBackPropBlock = 4;

// For Q features i = idx[q] with output gradients g[q] over a chunk: dD(k, i) += h_k . g_q per lane, and
// p_k += D(k, i) g_q. Q features share every load and store of p and h; Q = 4 keeps 16 gradient vectors, 4
// accumulators and 4 decoder weights in 32 registers.
template <int Q>
inline void backPropagate(const int* idx, const Vec (*g)[kVecsPerChunk], const float* D, const Vec* h, Vec* p,
                          Vec* dDAcc, int m)
{
    for (int k = 0; k < m; ++k) {
        Vec acc[Q], d[Q];
        for (int q = 0; q < Q; ++q) {
            acc[q] = dDAcc[idx[q] * m + k];
            d[q] = splat(D[k + idx[q] * m]);
        }
        for (int c = 0; c < kVecsPerChunk; ++c) {
            const Vec hv = h[k * kVecsPerChunk + c];
            Vec pv = p[k * kVecsPerChunk + c];
            for (int q = 0; q < Q; ++q) {
                acc[q] += hv * g[q][c];
                pv += d[q] * g[q][c]; // chained FMAs, not products summed then added
            }
            p[k * kVecsPerChunk + c] = pv;
        }
        for (int q = 0; q < Q; ++q)
            dDAcc[idx[q] * m + k] = acc[q];
    }
}

// One pass over a slab of the batch (a.B rows) in L1-sized chunks of 64 samples. Accumulators stay per lane and are
// reduced once per batch (reduceLanes), so short chunks cost no horizontal sums.
template <bool HiddenRelu, bool OutputRelu, bool AbsoluteTarget, bool WithGradient>
void fusedChunks(const FusedArguments& a)
{
    const int n = a.n, m = a.m, B = a.B;
    Vec* __restrict h = a.work;
    Vec* __restrict p = h + m * kVecsPerChunk;
    Vec* __restrict padded = p + m * kVecsPerChunk;
    Vec* __restrict dDAcc = a.lanes;       // [i * m + k]
    Vec* __restrict dEAcc = dDAcc + m * n; // [j * m + k]
    Vec* __restrict dbAcc = dEAcc + m * n; // [i]
    Vec* __restrict lossAcc = dbAcc + n;   // [i]

    for (int s0 = 0; s0 < B; s0 += kChunk) {
        const int len = std::min(kChunk, B - s0);
        const float* xBase = a.X + s0;
        std::ptrdiff_t stride = B;
        Vec mask[kVecsPerChunk];
        for (int c = 0; c < kVecsPerChunk; ++c)
            mask[c] = splat(1.0f);
        if (len < kChunk) {
            // The tail: copy into a zero-padded chunk and mask the missing samples out of loss and gradient.
            float* pad = reinterpret_cast<float*>(padded);
            std::fill(pad, pad + static_cast<std::ptrdiff_t>(n) * kChunk, 0.0f);
            for (int j = 0; j < n; ++j)
                std::memcpy(pad + static_cast<std::ptrdiff_t>(j) * kChunk, a.X + static_cast<std::ptrdiff_t>(j) * B + s0,
                            sizeof(float) * static_cast<std::size_t>(len));
            xBase = pad;
            stride = kChunk;
            for (int c = 0; c < kVecsPerChunk; ++c)
                for (int l = 0; l < kVec; ++l)
                    mask[c][l] = c * kVec + l < len ? 1.0f : 0.0f;
        }
        // Sparse inputs: only features active somewhere in this chunk contribute to h = E x and to dL/dE.
        int activeCount = 0;
        for (int j = 0; j < n; ++j)
            if (!chunkIsZero(xBase + j * stride))
                a.active[activeCount++] = j;
        // h = E x, four hidden units at a time so their 16 accumulators live in registers across the features.
        int k0 = 0;
        for (; k0 + 4 <= m; k0 += 4) {
            Vec acc[4][kVecsPerChunk] = {};
            for (int q = 0; q < activeCount; ++q) {
                const int j = a.active[q];
                Vec x[kVecsPerChunk];
                for (int c = 0; c < kVecsPerChunk; ++c)
                    x[c] = load(xBase + j * stride + c * kVec);
                for (int kk = 0; kk < 4; ++kk) {
                    const Vec e = splat(a.E[k0 + kk + j * m]);
                    for (int c = 0; c < kVecsPerChunk; ++c)
                        acc[kk][c] += e * x[c];
                }
            }
            for (int kk = 0; kk < 4; ++kk)
                for (int c = 0; c < kVecsPerChunk; ++c)
                    h[(k0 + kk) * kVecsPerChunk + c] = acc[kk][c];
        }
        for (; k0 < m; ++k0) {
            Vec acc[kVecsPerChunk] = {};
            for (int q = 0; q < activeCount; ++q) {
                const int j = a.active[q];
                const Vec e = splat(a.E[k0 + j * m]);
                for (int c = 0; c < kVecsPerChunk; ++c)
                    acc[c] += e * load(xBase + j * stride + c * kVec);
            }
            for (int c = 0; c < kVecsPerChunk; ++c)
                h[k0 * kVecsPerChunk + c] = acc[c];
        }
        if (HiddenRelu)
            for (int t = 0; t < m * kVecsPerChunk; ++t)
                h[t] = h[t] > 0.0f ? h[t] : Vec{};
        if (WithGradient)
            std::fill(p, p + m * kVecsPerChunk, Vec{});
        Vec pendingG[kBackPropBlock][kVecsPerChunk];
        int pendingI[kBackPropBlock] = {};
        int pending = 0;
        auto flushPending = [&] {
            switch (pending) {
            case 4: backPropagate<4>(pendingI, pendingG, a.D, h, p, dDAcc, m); break;
            case 3: backPropagate<3>(pendingI, pendingG, a.D, h, p, dDAcc, m); break;
            case 2: backPropagate<2>(pendingI, pendingG, a.D, h, p, dDAcc, m); break;
            case 1: backPropagate<1>(pendingI, pendingG, a.D, h, p, dDAcc, m); break;
            default: break;
            }
            pending = 0;
        };
        for (int i0 = 0; i0 < n; i0 += 2) {
          // z = D^T h + b for two features at a time: each load of h feeds two accumulation chains.
          Vec zPair[2][kVecsPerChunk];
          const int count = std::min(2, n - i0);
          for (int q = 0; q < count; ++q)
              for (int c = 0; c < kVecsPerChunk; ++c)
                  zPair[q][c] = splat(a.bias[i0 + q]);
          if (count == 2) {
              for (int k = 0; k < m; ++k) {
                  const Vec d0 = splat(a.D[k + i0 * m]), d1 = splat(a.D[k + (i0 + 1) * m]);
                  for (int c = 0; c < kVecsPerChunk; ++c) {
                      const Vec hv = h[k * kVecsPerChunk + c];
                      zPair[0][c] += d0 * hv;
                      zPair[1][c] += d1 * hv;
                  }
              }
          } else {
              for (int k = 0; k < m; ++k) {
                  const Vec d = splat(a.D[k + i0 * m]);
                  for (int c = 0; c < kVecsPerChunk; ++c)
                      zPair[0][c] += d * h[k * kVecsPerChunk + c];
              }
          }
          for (int q = 0; q < count; ++q) {
            const int i = i0 + q;
            const Vec* z = zPair[q];
            Vec g[kVecsPerChunk];
            const Vec coefficient = splat(a.coefficient[i]);
            Vec loss{}, gsum{};
            for (int c = 0; c < kVecsPerChunk; ++c) {
                Vec target = load(xBase + i * stride + c * kVec);
                if (AbsoluteTarget)
                    target = target < 0.0f ? -target : target;
                const Vec y = OutputRelu ? (z[c] > 0.0f ? z[c] : Vec{}) : z[c];
                const Vec diff = (y - target) * mask[c];
                loss += diff * diff;
                g[c] = OutputRelu ? (z[c] > 0.0f ? coefficient * diff : Vec{}) : coefficient * diff;
                gsum += g[c];
            }
            lossAcc[i] += loss;
            if (!WithGradient)
                continue;
            dbAcc[i] += gsum;
            if (chunkIsZero(reinterpret_cast<const float*>(g)))
                continue; // no gradient flows back through this feature in this chunk
            // Back-propagate four features at a time: each pass over p then costs one load and one store for four
            // features' worth of FMAs (stores are the bottleneck of this loop).
            for (int c = 0; c < kVecsPerChunk; ++c)
                pendingG[pending][c] = g[c];
            pendingI[pending++] = i;
            if (pending == kBackPropBlock)
                flushPending();
          }
        }
        if (WithGradient)
            flushPending();
        if (!WithGradient)
            continue;
        if (HiddenRelu)
            for (int t = 0; t < m * kVecsPerChunk; ++t)
                p[t] = h[t] > 0.0f ? p[t] : Vec{};
        // dL/dE: four inputs at a time, so each load of p feeds four independent accumulation chains (one chain
        // alone is bound by FMA latency).
        int q = 0;
        for (; q + 4 <= activeCount; q += 4) {
            Vec x[4][kVecsPerChunk];
            Vec* accRow[4];
            for (int jj = 0; jj < 4; ++jj) {
                const int j = a.active[q + jj];
                accRow[jj] = dEAcc + j * m;
                for (int c = 0; c < kVecsPerChunk; ++c)
                    x[jj][c] = load(xBase + j * stride + c * kVec);
            }
            for (int k = 0; k < m; ++k) {
                Vec pk[kVecsPerChunk];
                for (int c = 0; c < kVecsPerChunk; ++c)
                    pk[c] = p[k * kVecsPerChunk + c];
                for (int jj = 0; jj < 4; ++jj) {
                    Vec acc = pk[0] * x[jj][0];
                    for (int c = 1; c < kVecsPerChunk; ++c)
                        acc += pk[c] * x[jj][c];
                    accRow[jj][k] += acc;
                }
            }
        }
        for (; q < activeCount; ++q) {
            const int j = a.active[q];
            Vec x[kVecsPerChunk];
            for (int c = 0; c < kVecsPerChunk; ++c)
                x[c] = load(xBase + j * stride + c * kVec);
            for (int k = 0; k < m; ++k) {
                Vec acc = dEAcc[j * m + k];
                for (int c = 0; c < kVecsPerChunk; ++c)
                    acc += p[k * kVecsPerChunk + c] * x[c];
                dEAcc[j * m + k] = acc;
            }
        }
    }
}

// Adds the lane accumulators into the gradient and returns the summed importance-weighted squared error.
double reduceLanes(const FusedArguments& a, bool withGradient)
{
    const int n = a.n, m = a.m;
    const Vec* dDAcc = a.lanes;
    const Vec* dEAcc = dDAcc + m * n;
    const Vec* dbAcc = dEAcc + m * n;
    const Vec* lossAcc = dbAcc + n;
    double loss = 0.0;
    for (int i = 0; i < n; ++i) {
        loss += double(a.importance[i]) * horizontalSum(lossAcc[i]);
        if (withGradient)
            a.db[i] += horizontalSum(dbAcc[i]);
    }
    if (withGradient) {
        // Accumulator t = i m + k is entry (k, i) of the column-major m x n gradient: the same offset.
        addHorizontalSums(dDAcc, m * n, a.dD);
        addHorizontalSums(dEAcc, m * n, a.dE);
    }
    return loss;
}

template <bool HiddenRelu, bool OutputRelu, bool AbsoluteTarget>
void fusedDispatch(const FusedArguments& a, bool withGradient)
{
    if (withGradient)
        fusedChunks<HiddenRelu, OutputRelu, AbsoluteTarget, true>(a);
    else
        fusedChunks<HiddenRelu, OutputRelu, AbsoluteTarget, false>(a);
}

// The kernel's pointers for one slab (params and X may be null for the final reduction).
struct KernelBuffers {
    int n, m;
    bool tied;
    const float* importance;
    const float* coefficient;
    Vec* work;
    int* active;
};

FusedArguments fusedArguments(const KernelBuffers& k, const ToyInstance* params, const float* X, int rows,
                              ToyInstance* gradient)
{
    FusedArguments a;
    a.n = k.n;
    a.m = k.m;
    a.B = rows;
    a.X = X;
    a.E = params ? params->W.data() : nullptr;
    a.D = params ? params->decoderWeights().data() : nullptr;
    a.bias = params ? params->b.data() : nullptr;
    a.importance = k.importance;
    a.coefficient = k.coefficient;
    a.dE = gradient ? gradient->W.data() : nullptr;
    a.dD = gradient ? (k.tied ? gradient->W.data() : gradient->decoder.data()) : nullptr;
    a.db = gradient ? gradient->b.data() : nullptr;
    a.work = k.work;
    a.lanes = k.work + (2 * k.m + k.n) * kVecsPerChunk;
    a.active = k.active;
    return a;
}

} // namespace

void ToyLossKernel::zeroGradient(ToyInstance* gradient) const
{
    if (!gradient)
        return;
    gradient->W.setZero(m_hidden, m_features);
    gradient->b.setZero(m_features);
    if (!m_tied)
        gradient->decoder.setZero(m_hidden, m_features);
}

void ToyLossKernel::beginBatch(ToyInstance* gradient)
{
    zeroGradient(gradient);
    m_rowsSeen = 0;
    m_vectorWork.resize(m_vectorWorkSize);
    m_activeFeatures.resize(static_cast<std::size_t>(m_features));
    const std::size_t lanesBegin = static_cast<std::size_t>((2 * m_hidden + m_features) * (kChunk / 16));
    std::fill(m_vectorWork.begin() + static_cast<std::ptrdiff_t>(lanesBegin), m_vectorWork.end(), Vec{});
}

void ToyLossKernel::accumulateSlab(const ToyInstance& params, const float* X, int rows, ToyInstance* gradient)
{
    const FusedArguments a = fusedArguments({m_features, m_hidden, m_tied, m_importance.data(), m_coefficient.data(),
                                             m_vectorWork.data(), m_activeFeatures.data()},
                                            &params, X, rows, gradient);
    m_rowsSeen += rows;
    const bool g = gradient != nullptr;
    if (m_absoluteTarget)
        fusedDispatch<true, true, true>(a, g); // the untied |x| model: ReLU hidden and output
    else if (m_hiddenRelu)
        fusedDispatch<true, true, false>(a, g);
    else if (m_outputRelu)
        fusedDispatch<false, true, false>(a, g);
    else
        fusedDispatch<false, false, false>(a, g);
}

double ToyLossKernel::finishBatch(ToyInstance* gradient)
{
    const FusedArguments a = fusedArguments({m_features, m_hidden, m_tied, m_importance.data(), m_coefficient.data(),
                                             m_vectorWork.data(), m_activeFeatures.data()},
                                            nullptr, nullptr, 0, gradient);
    return reduceLanes(a, gradient != nullptr) / (double(std::max(m_rowsSeen, 1)) * m_features);
}

double ToyLossKernel::evaluateGemm(const ToyInstance& params, const Eigen::MatrixXf& X, ToyInstance* gradient)
{
    const int n = m_features;
    const int B = static_cast<int>(X.rows());
    const Eigen::MatrixXf& D = params.decoderWeights();
    m_H.noalias() = X * params.W.transpose();
    if (m_hiddenRelu)
        m_H = m_H.cwiseMax(0.0f);
    m_Z.noalias() = m_H * D;
    double loss = 0.0;
    // Z becomes G in place, one feature column at a time.
    for (int i = 0; i < n; ++i) {
        float* zi = m_Z.col(i).data();
        const float* xi = X.col(i).data();
        const float bi = params.b[i];
        const float coefficient = m_coefficient[static_cast<std::size_t>(i)];
        float columnLoss = 0.0f;
#pragma omp simd reduction(+ : columnLoss)
        for (int s = 0; s < B; ++s) {
            const float zs = zi[s] + bi;
            const float target = m_absoluteTarget ? std::fabs(xi[s]) : xi[s];
            const float y = m_outputRelu ? std::max(zs, 0.0f) : zs;
            const float diff = y - target;
            columnLoss += diff * diff;
            zi[s] = (m_outputRelu && !(zs > 0.0f)) ? 0.0f : coefficient * diff;
        }
        loss += double(m_importance[static_cast<std::size_t>(i)]) * columnLoss;
    }
    if (gradient) {
        const Eigen::MatrixXf& G = m_Z;
        gradient->b.noalias() = G.colwise().sum().transpose();
        if (m_tied) {
            gradient->W.noalias() = m_H.transpose() * G;
        } else {
            gradient->decoder.noalias() = m_H.transpose() * G;
        }
        m_P.noalias() = G * D.transpose();
        if (m_hiddenRelu)
            m_P = (m_H.array() > 0.0f).select(m_P, 0.0f);
        gradient->W.noalias() += m_P.transpose() * X;
    }
    return loss / (double(B) * n);
}

} // namespace featurescope
