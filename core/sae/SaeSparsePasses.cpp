#include "sae/SaeSparsePasses.h"

#include <algorithm>
#include <cstddef>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace featurescope {

namespace {
// The sparse path's two passes, generic over the input dimension d.
//
// Pass 1, sample-major over the active pairs (CSR): G_s = Σ_i f_si W_dec,i − r_s, and Σ_s G_s for dL/db_dec.
double decodePassGeneric(int d, int batch, const int* rowStart, const int* feature, const float* value,
                         const float* dec, const float* penalty, const float* target, float* G, float* gSum)
{
    double penaltyTotal = 0.0;
    for (int s = 0; s < batch; ++s) {
        float* g = G + std::size_t(s) * d;
        const float* r = target + std::size_t(s) * d;
        for (int i = 0; i < d; ++i)
            g[i] = -r[i];
        for (int a = rowStart[s]; a < rowStart[s + 1]; ++a) {
            const float f = value[a];
            const float* w = dec + std::size_t(feature[a]) * d;
            for (int i = 0; i < d; ++i)
                g[i] += f * w[i];
            penaltyTotal += double(f) * penalty[feature[a]];
        }
        for (int i = 0; i < d; ++i)
            gSum[i] += g[i];
    }
    return penaltyTotal;
}

// Pass 2, feature-major over the active pairs (CSC): with c = 2/(B·d) and dpre_si = c W_dec,i·G_s + penalty_i,
//   dL/dW_dec,i = c Σ_s f_si G_s,  dL/dW_enc,i = Σ_s dpre_si x̄_s,  dL/db_enc,i = Σ_s dpre_si.
// Every column is written (zeros for silent features), so the gradient needs no clearing.
void gradientPassGeneric(int d, int latent, const int* colStart, const int* sample, const float* value,
                         const float* dec, const float* penalty, const float* G, const float* encoderInput, float c,
                         float* dEnc, float* dBenc, float* dDec, double* codeSum)
{
    for (int j = 0; j < latent; ++j) {
        const float* w = dec + std::size_t(j) * d;
        float* outDec = dDec + std::size_t(j) * d;
        float* outEnc = dEnc + std::size_t(j) * d;
        std::fill(outDec, outDec + d, 0.0f);
        std::fill(outEnc, outEnc + d, 0.0f);
        float biasSum = 0.0f;
        double fSum = 0.0;
        for (int a = colStart[j]; a < colStart[j + 1]; ++a) {
            const float f = value[a];
            const float* gs = G + std::size_t(sample[a]) * d;
            const float* in = encoderInput + std::size_t(sample[a]) * d;
            float dot = 0.0f;
            for (int i = 0; i < d; ++i)
                dot += w[i] * gs[i];
            const float dpre = c * dot + penalty[j];
            for (int i = 0; i < d; ++i) {
                outDec[i] += f * gs[i];
                outEnc[i] += dpre * in[i];
            }
            biasSum += dpre;
            fSum += f;
        }
        for (int i = 0; i < d; ++i)
            outDec[i] *= c;
        dBenc[j] = biasSum;
        codeSum[j] = fSum;
    }
}

#ifdef __AVX512F__
// The same passes with d = 16·V fixed at compile time: a sample's residual (pass 1) and a feature's weight column and
// two gradient accumulators (pass 2) stay in V zmm registers each, so each active pair costs a few loads and FMAs.
template <int V>
double decodePassAvx512(int batch, const int* rowStart, const int* feature, const float* value, const float* dec,
                        const float* penalty, const float* target, float* G, float* gSum)
{
    constexpr int d = 16 * V;
    double penaltyTotal = 0.0;
    __m512 sum[V];
    for (int v = 0; v < V; ++v)
        sum[v] = _mm512_setzero_ps();
    for (int s = 0; s < batch; ++s) {
        const float* r = target + std::size_t(s) * d;
        __m512 g[V];
        for (int v = 0; v < V; ++v)
            g[v] = _mm512_sub_ps(_mm512_setzero_ps(), _mm512_loadu_ps(r + 16 * v));
        for (int a = rowStart[s]; a < rowStart[s + 1]; ++a) {
            const __m512 f = _mm512_set1_ps(value[a]);
            const float* w = dec + std::size_t(feature[a]) * d;
            for (int v = 0; v < V; ++v)
                g[v] = _mm512_fmadd_ps(f, _mm512_loadu_ps(w + 16 * v), g[v]);
            penaltyTotal += double(value[a]) * penalty[feature[a]];
        }
        float* out = G + std::size_t(s) * d;
        for (int v = 0; v < V; ++v) {
            _mm512_storeu_ps(out + 16 * v, g[v]);
            sum[v] = _mm512_add_ps(sum[v], g[v]);
        }
    }
    for (int v = 0; v < V; ++v)
        _mm512_storeu_ps(gSum + 16 * v, _mm512_add_ps(_mm512_loadu_ps(gSum + 16 * v), sum[v]));
    return penaltyTotal;
}

template <int V>
void gradientPassAvx512(int latent, const int* colStart, const int* sample, const float* value, const float* dec,
                        const float* penalty, const float* G, const float* encoderInput, float c, float* dEnc,
                        float* dBenc, float* dDec, double* codeSum)
{
    constexpr int d = 16 * V;
    for (int j = 0; j < latent; ++j) {
        __m512 w[V], accDec[V], accEnc[V];
        const float* wj = dec + std::size_t(j) * d;
        for (int v = 0; v < V; ++v) {
            w[v] = _mm512_loadu_ps(wj + 16 * v);
            accDec[v] = _mm512_setzero_ps();
            accEnc[v] = _mm512_setzero_ps();
        }
        float biasSum = 0.0f;
        double fSum = 0.0;
        const float pen = penalty[j];
        for (int a = colStart[j]; a < colStart[j + 1]; ++a) {
            const float* gs = G + std::size_t(sample[a]) * d;
            const float* in = encoderInput + std::size_t(sample[a]) * d;
            __m512 g[V];
            __m512 dot = _mm512_setzero_ps();
            for (int v = 0; v < V; ++v) {
                g[v] = _mm512_loadu_ps(gs + 16 * v);
                dot = _mm512_fmadd_ps(w[v], g[v], dot);
            }
            const float dpre = c * _mm512_reduce_add_ps(dot) + pen;
            const __m512 f = _mm512_set1_ps(value[a]);
            const __m512 dp = _mm512_set1_ps(dpre);
            for (int v = 0; v < V; ++v) {
                accDec[v] = _mm512_fmadd_ps(f, g[v], accDec[v]);
                accEnc[v] = _mm512_fmadd_ps(dp, _mm512_loadu_ps(in + 16 * v), accEnc[v]);
            }
            biasSum += dpre;
            fSum += value[a];
        }
        const __m512 cv = _mm512_set1_ps(c);
        for (int v = 0; v < V; ++v) {
            _mm512_storeu_ps(dDec + std::size_t(j) * d + 16 * v, _mm512_mul_ps(cv, accDec[v]));
            _mm512_storeu_ps(dEnc + std::size_t(j) * d + 16 * v, accEnc[v]);
        }
        dBenc[j] = biasSum;
        codeSum[j] = fSum;
    }
}

// The same two passes for wide inputs (d a multiple of 16 above 128, e.g. a language model's 512 or 768): the
// vectors no longer fit in registers, so the decode accumulates 128 floats of each row at a time and the gradient
// first takes each active code's dot product over the whole row, then accumulates the outputs chunk by chunk.
constexpr int kWideChunk = 8; // vectors of 16 floats per chunk

// Calls chunk.operator()<V>() with V = vectors (1..kWideChunk) as a compile-time constant.
template <typename Chunk>
void withChunkWidth(int vectors, const Chunk& chunk)
{
    switch (vectors) {
    case 1: chunk.template operator()<1>(); break;
    case 2: chunk.template operator()<2>(); break;
    case 3: chunk.template operator()<3>(); break;
    case 4: chunk.template operator()<4>(); break;
    case 5: chunk.template operator()<5>(); break;
    case 6: chunk.template operator()<6>(); break;
    case 7: chunk.template operator()<7>(); break;
    default: chunk.template operator()<8>(); break;
    }
}

// One chunk of V vectors of a sample's residual. V is a compile-time constant so that the accumulators stay in
// registers: with a run-time count GCC kept them in memory and stored every one after each multiply-add.
template <int V>
void decodeChunk(int first, int last, const int* feature, const float* value, const float* dec, int d, int c0,
                 const float* r, float* out, float* gSum)
{
    __m512 g[V];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v)
        g[v] = _mm512_sub_ps(_mm512_setzero_ps(), _mm512_loadu_ps(r + 16 * v));
    for (int a = first; a < last; ++a) {
        const __m512 f = _mm512_set1_ps(value[a]);
        const float* w = dec + std::size_t(feature[a]) * d + c0;
#pragma GCC unroll 8
        for (int v = 0; v < V; ++v)
            g[v] = _mm512_fmadd_ps(f, _mm512_loadu_ps(w + 16 * v), g[v]);
    }
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
        _mm512_storeu_ps(out + 16 * v, g[v]);
        _mm512_storeu_ps(gSum + c0 + 16 * v, _mm512_add_ps(_mm512_loadu_ps(gSum + c0 + 16 * v), g[v]));
    }
}

double decodePassWide(int d, int batch, const int* rowStart, const int* feature, const float* value, const float* dec,
                      const float* penalty, const float* target, float* G, float* gSum)
{
    double penaltyTotal = 0.0;
    for (int s = 0; s < batch; ++s) {
        const int first = rowStart[s], last = rowStart[s + 1];
        for (int a = first; a < last; ++a)
            penaltyTotal += double(value[a]) * penalty[feature[a]];
        for (int c0 = 0; c0 < d; c0 += 16 * kWideChunk) {
            const float* r = target + std::size_t(s) * d + c0;
            float* out = G + std::size_t(s) * d + c0;
            const auto chunk = [&]<int V>() { decodeChunk<V>(first, last, feature, value, dec, d, c0, r, out, gSum); };
            withChunkWidth(std::min(kWideChunk, (d - c0) / 16), chunk);
        }
    }
    return penaltyTotal;
}

// One chunk of V vectors of a latent's decoder and encoder gradients, over the samples where it is active (V a
// compile-time constant for the same reason as decodeChunk's).
template <int V>
void gradientChunk(int count, const int* sample, const float* value, const float* dpre, const float* G,
                   const float* encoderInput, int d, int c0, float c, float* decOut, float* encOut)
{
    __m512 accDec[V], accEnc[V];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v)
        accDec[v] = accEnc[v] = _mm512_setzero_ps();
    for (int a = 0; a < count; ++a) {
        const std::size_t row = std::size_t(sample[a]) * d + c0;
        const __m512 f = _mm512_set1_ps(value[a]), dp = _mm512_set1_ps(dpre[a]);
#pragma GCC unroll 8
        for (int v = 0; v < V; ++v) {
            accDec[v] = _mm512_fmadd_ps(f, _mm512_loadu_ps(G + row + 16 * v), accDec[v]);
            accEnc[v] = _mm512_fmadd_ps(dp, _mm512_loadu_ps(encoderInput + row + 16 * v), accEnc[v]);
        }
    }
    const __m512 cv = _mm512_set1_ps(c);
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
        _mm512_storeu_ps(decOut + 16 * v, _mm512_mul_ps(cv, accDec[v]));
        _mm512_storeu_ps(encOut + 16 * v, accEnc[v]);
    }
}

void gradientPassWide(int d, int latent, const int* colStart, const int* sample, const float* value, const float* dec,
                      const float* penalty, const float* G, const float* encoderInput, float c, float* dEnc,
                      float* dBenc, float* dDec, double* codeSum, std::vector<float>& dpreScratch)
{
    for (int j = 0; j < latent; ++j) {
        const int first = colStart[j], count = colStart[j + 1] - first;
        const float* wj = dec + std::size_t(j) * d;
        dpreScratch.resize(std::size_t(std::max(count, 1)));
        float* dpre = dpreScratch.data();
        float biasSum = 0.0f;
        double fSum = 0.0;
        for (int a = 0; a < count; ++a) {
            const float* gs = G + std::size_t(sample[first + a]) * d;
            __m512 dot = _mm512_setzero_ps();
            for (int i = 0; i < d; i += 16)
                dot = _mm512_fmadd_ps(_mm512_loadu_ps(wj + i), _mm512_loadu_ps(gs + i), dot);
            dpre[a] = c * _mm512_reduce_add_ps(dot) + penalty[j];
            biasSum += dpre[a];
            fSum += value[first + a];
        }
        for (int c0 = 0; c0 < d; c0 += 16 * kWideChunk) {
            float* decOut = dDec + std::size_t(j) * d + c0;
            float* encOut = dEnc + std::size_t(j) * d + c0;
            const auto chunk = [&]<int V>() {
                gradientChunk<V>(count, sample + first, value + first, dpre, G, encoderInput, d, c0, c, decOut, encOut);
            };
            withChunkWidth(std::min(kWideChunk, (d - c0) / 16), chunk);
        }
        dBenc[j] = biasSum;
        codeSum[j] = fSum;
    }
}
#endif
} // namespace


double SaeSparsePasses::decode(int d, int batch, const int* rowStart, const int* feature, const float* value,
                               const float* dec, const float* penalty, const float* target, float* G, float* gSum)
{
#ifdef __AVX512F__
    switch (d) {
    case 16: return decodePassAvx512<1>(batch, rowStart, feature, value, dec, penalty, target, G, gSum);
    case 32: return decodePassAvx512<2>(batch, rowStart, feature, value, dec, penalty, target, G, gSum);
    case 48: return decodePassAvx512<3>(batch, rowStart, feature, value, dec, penalty, target, G, gSum);
    case 64: return decodePassAvx512<4>(batch, rowStart, feature, value, dec, penalty, target, G, gSum);
    case 96: return decodePassAvx512<6>(batch, rowStart, feature, value, dec, penalty, target, G, gSum);
    case 128: return decodePassAvx512<8>(batch, rowStart, feature, value, dec, penalty, target, G, gSum);
    default: break;
    }
    if (d % 16 == 0)
        return decodePassWide(d, batch, rowStart, feature, value, dec, penalty, target, G, gSum);
#endif
    return decodePassGeneric(d, batch, rowStart, feature, value, dec, penalty, target, G, gSum);
}

void SaeSparsePasses::gradient(int d, int latent, const int* colStart, const int* sample, const float* value,
                               const float* dec, const float* penalty, const float* G, const float* encoderInput,
                               float c, float* dEnc, float* dBenc, float* dDec, double* codeSum,
                               std::vector<float>& scratch)
{
#ifdef __AVX512F__
    switch (d) {
    case 16: return gradientPassAvx512<1>(latent, colStart, sample, value, dec, penalty, G, encoderInput, c, dEnc, dBenc, dDec, codeSum);
    case 32: return gradientPassAvx512<2>(latent, colStart, sample, value, dec, penalty, G, encoderInput, c, dEnc, dBenc, dDec, codeSum);
    case 48: return gradientPassAvx512<3>(latent, colStart, sample, value, dec, penalty, G, encoderInput, c, dEnc, dBenc, dDec, codeSum);
    case 64: return gradientPassAvx512<4>(latent, colStart, sample, value, dec, penalty, G, encoderInput, c, dEnc, dBenc, dDec, codeSum);
    case 96: return gradientPassAvx512<6>(latent, colStart, sample, value, dec, penalty, G, encoderInput, c, dEnc, dBenc, dDec, codeSum);
    case 128: return gradientPassAvx512<8>(latent, colStart, sample, value, dec, penalty, G, encoderInput, c, dEnc, dBenc, dDec, codeSum);
    default: break;
    }
    if (d % 16 == 0)
        return gradientPassWide(d, latent, colStart, sample, value, dec, penalty, G, encoderInput, c, dEnc, dBenc, dDec,
                                codeSum, scratch);
#endif
    (void)scratch;
    gradientPassGeneric(d, latent, colStart, sample, value, dec, penalty, G, encoderInput, c, dEnc, dBenc, dDec, codeSum);
}

} // namespace featurescope
