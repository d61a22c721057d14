#pragma once

#include "io/ArrayData.h"

#include <cstdint>
#include <vector>

namespace featurescope {

class ProgressReporter;

// Per-column summary of an [N, d] array (N rows, d features): mean, standard deviation, minimum, maximum and the
// fraction of non-zero entries. Computed in one streaming pass over row blocks, so a memory-mapped activation file
// of many GB is summarised at close to memory bandwidth without being copied; the pass reports progress and stops
// with Cancelled when cancelled.
struct ColumnStatistics {
    std::uint64_t rows = 0;
    std::vector<double> mean;
    std::vector<double> standardDeviation; // population (divides by N)
    std::vector<double> minimum;
    std::vector<double> maximum;
    std::vector<double> nonzeroFraction;

    // Any dtype, C or Fortran order; C-order arrays are split over `threads` threads (row ranges). Throws InputError
    // unless `array` has rank 2 and at least one row; Cancelled when `progress` is cancelled.
    static ColumnStatistics compute(const ArrayData& array, const ProgressReporter* progress = nullptr,
                                    unsigned threads = 2);
};

} // namespace featurescope
