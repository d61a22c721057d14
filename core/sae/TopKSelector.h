#pragma once

#include <vector>

namespace featurescope {

// The k largest of n values (ties go to the lower index), followed by ReLU: what a TopK SAE keeps of its
// pre-activations. One scan with a small sorted buffer: a value below the current k-th costs one comparison.
class TopKSelector {
public:
    explicit TopKSelector(int k);

    // Writes the kept positions (ascending) and values of values[0..n) that are among the k largest and positive;
    // returns how many were kept (at most k).
    int select(const float* values, int n, int* indices, float* kept);
    // Zeroes every entry that select() would not keep.
    void keepTopInPlace(float* values, int n);

private:
    int m_k;
    std::vector<float> m_bufferValues;
    std::vector<int> m_bufferIndices;
    std::vector<int> m_order;
};

} // namespace featurescope
