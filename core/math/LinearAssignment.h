#pragma once

#include <Eigen/Core>

#include <vector>

namespace featurescope {

// The linear assignment problem (the Hungarian algorithm, in its O(n²m) shortest-augmenting-path form with row and
// column potentials). For an n x m cost matrix, each of the min(n, m) rows or columns on the short side is matched
// to a distinct one on the long side so that the summed cost is least, as scipy.optimize.linear_sum_assignment does.
struct LinearAssignment {
    std::vector<int> rowToColumn; // per row: its column, or −1 when n > m and the row is unmatched
    double cost = 0.0;            // the summed cost of the matched pairs

    // Throws InputError on a non-finite cost.
    static LinearAssignment minimise(const Eigen::MatrixXd& cost);
    static LinearAssignment maximise(const Eigen::MatrixXd& score);
};

} // namespace featurescope
