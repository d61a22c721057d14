#include "sae/TopKSelector.h"

#include <algorithm>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace featurescope {

TopKSelector::TopKSelector(int k) : m_k(std::max(k, 1))
{
    m_bufferValues.resize(std::size_t(m_k));
    m_bufferIndices.resize(std::size_t(m_k));
    m_order.resize(std::size_t(m_k));
}

int TopKSelector::select(const float* values, int n, int* indices, float* kept)
{
    // Buffer sorted by value descending (index ascending among equals); `count` entries used.
    float* bv = m_bufferValues.data();
    int* bi = m_bufferIndices.data();
    int count = 0;
    const int k = m_k;
    auto consider = [&](int i) {
        const float v = values[i];
        if (!(v > 0.0f)) // ReLU after TopK: non-positive values are never kept, so they need not compete
            return;
        if (count == k && !(v > bv[k - 1]))
            return;
        int pos = count < k ? count : k - 1;
        while (pos > 0 && v > bv[pos - 1]) {
            bv[pos] = bv[pos - 1];
            bi[pos] = bi[pos - 1];
            --pos;
        }
        bv[pos] = v;
        bi[pos] = i;
        if (count < k)
            ++count;
    };
    int i0 = 0;
#ifdef __AVX512F__
    // 16 values at a time against the current threshold (0 until the buffer is full, then the k-th largest): once
    // the buffer holds large values almost every block is rejected by one compare.
    for (; i0 + 16 <= n; i0 += 16) {
        const float threshold = count == k ? std::max(bv[k - 1], 0.0f) : 0.0f;
        unsigned mask = _mm512_cmp_ps_mask(_mm512_loadu_ps(values + i0), _mm512_set1_ps(threshold), _CMP_GT_OQ);
        while (mask) {
            consider(i0 + __builtin_ctz(mask));
            mask &= mask - 1;
        }
    }
#endif
    for (int i = i0; i < n; ++i)
        consider(i);
    // Report in ascending index order.
    for (int t = 0; t < count; ++t)
        m_order[std::size_t(t)] = t;
    std::sort(m_order.begin(), m_order.begin() + count, [&](int a, int b) { return bi[a] < bi[b]; });
    for (int t = 0; t < count; ++t) {
        indices[t] = bi[m_order[std::size_t(t)]];
        kept[t] = bv[m_order[std::size_t(t)]];
    }
    return count;
}

void TopKSelector::keepTopInPlace(float* values, int n)
{
    std::vector<int> idx(static_cast<std::size_t>(m_k));
    std::vector<float> val(static_cast<std::size_t>(m_k));
    const int count = select(values, n, idx.data(), val.data());
    std::fill(values, values + n, 0.0f);
    for (int t = 0; t < count; ++t)
        values[idx[std::size_t(t)]] = val[std::size_t(t)];
}

} // namespace featurescope
